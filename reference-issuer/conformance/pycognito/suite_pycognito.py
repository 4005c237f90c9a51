"""pycognito (PyPI) against the issuer: SRP sign-in with the right and a
wrong password, token renewal, TOTP set-up and MFA sign-in, forgot password
through the outbox, and logout."""

import time

import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.exceptions import SoftwareTokenMFAChallengeException

PASSWORD = "Corr3ct-Horse!"


@pytest.fixture
def srp_pool(idp):
    p = idp.create_user_pool(
        PoolName=f"pyc-{time.time_ns()}",
        AliasAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["UserPool"]
    c = idp.create_user_pool_client(
        UserPoolId=p["Id"],
        ClientName="spa",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    yield {"id": p["Id"], "client_id": c["ClientId"]}
    idp.delete_user_pool(UserPoolId=p["Id"])


def make_user(idp, pool, username, password=PASSWORD):
    idp.admin_create_user(
        UserPoolId=pool["id"],
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool["id"], Username=username, Password=password, Permanent=True
    )


def cognito(issuer, pool, username, **kw):
    return Cognito(
        pool["id"],
        pool["client_id"],
        username=username,
        boto3_client_kwargs={
            "endpoint_url": issuer.url,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        },
        **kw,
    )


def test_srp_right_password_signs_in_and_tokens_verify(issuer, idp, srp_pool):
    make_user(idp, srp_pool, "alice")
    u = cognito(issuer, srp_pool, "alice")
    u.authenticate(password=PASSWORD)  # verifies both tokens against the JWKS
    assert u.access_claims["username"] == "alice"
    assert u.id_claims["cognito:username"] == "alice"
    assert u.refresh_token


def test_srp_wrong_password_fails(issuer, idp, srp_pool):
    make_user(idp, srp_pool, "bob")
    u = cognito(issuer, srp_pool, "bob")
    with pytest.raises(ClientError) as e:
        u.authenticate(password="Wr0ng-Horse!")
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert u.access_token is None


def test_srp_with_alias_and_after_password_change(issuer, idp, srp_pool):
    make_user(idp, srp_pool, "carol")
    u = cognito(issuer, srp_pool, "carol@example.com")
    u.authenticate(password=PASSWORD)
    assert u.access_claims["username"] == "carol"
    u.change_password(PASSWORD, "N3w-Password!")
    with pytest.raises(ClientError):
        cognito(issuer, srp_pool, "carol").authenticate(password=PASSWORD)
    cognito(issuer, srp_pool, "carol").authenticate(password="N3w-Password!")


def test_srp_client_with_secret(issuer, idp, srp_pool):
    c = idp.create_user_pool_client(
        UserPoolId=srp_pool["id"],
        ClientName="confidential",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    make_user(idp, srp_pool, "dave")
    pool = {"id": srp_pool["id"], "client_id": c["ClientId"]}
    u = cognito(issuer, pool, "dave", client_secret=c["ClientSecret"])
    u.authenticate(password=PASSWORD)
    u.renew_access_token()
    assert u.access_claims["client_id"] == c["ClientId"]


def test_renew_tokens(issuer, idp, srp_pool):
    make_user(idp, srp_pool, "erin")
    u = cognito(issuer, srp_pool, "erin")
    u.authenticate(password=PASSWORD)
    first = u.access_token
    time.sleep(1.1)
    u.renew_access_token()
    assert u.access_token != first
    assert u.access_claims["username"] == "erin"


def test_forgot_password_via_outbox(issuer, idp, srp_pool):
    make_user(idp, srp_pool, "frank")
    u = cognito(issuer, srp_pool, "frank")
    u.initiate_forgot_password()
    code = issuer.latest_code(srp_pool["id"], "frank", kind="FORGOT_PASSWORD")
    u.confirm_forgot_password(code, "F0rgot-Reset!")
    cognito(issuer, srp_pool, "frank").authenticate(password="F0rgot-Reset!")
    with pytest.raises(ClientError):
        cognito(issuer, srp_pool, "frank").authenticate(password=PASSWORD)


def test_logout_revokes_the_session(issuer, idp, srp_pool):
    make_user(idp, srp_pool, "gina")
    u = cognito(issuer, srp_pool, "gina")
    u.authenticate(password=PASSWORD)
    access, refresh = u.access_token, u.refresh_token
    u.logout()
    assert u.access_token is None
    with pytest.raises(ClientError) as e:
        idp.get_user(AccessToken=access)
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(ClientError):
        idp.initiate_auth(
            ClientId=srp_pool["client_id"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh},
        )
