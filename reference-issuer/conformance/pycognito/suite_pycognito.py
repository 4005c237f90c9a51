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


def totp(secret_b32, t):
    """RFC 6238 (SHA-1, 6 digits, 30 s), computed here so nothing but the
    standard library vouches for the issuer's codes."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    h = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    o = h[-1] & 0x0F
    return f"{(struct.unpack('>I', h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


def test_totp_setup_and_mfa_sign_in(issuer, idp, srp_pool):
    idp.set_user_pool_mfa_config(
        UserPoolId=srp_pool["id"],
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    assert idp.get_user_pool_mfa_config(UserPoolId=srp_pool["id"])["MfaConfiguration"] == "OPTIONAL"
    make_user(idp, srp_pool, "hank")
    u = cognito(issuer, srp_pool, "hank")
    u.authenticate(password=PASSWORD)  # OPTIONAL and nothing enabled: no MFA yet
    secret = u.associate_software_token()
    assert len(secret) == 32
    with pytest.raises(ClientError) as e:
        u.verify_software_token("000000" if totp(secret, time.time()) != "000000" else "111111")
    assert e.value.response["Error"]["Code"] == "EnableSoftwareTokenMFAException"
    assert u.verify_software_token(totp(secret, time.time()), "phone")
    u.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")
    got = idp.get_user(AccessToken=u.access_token)
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    # Sign-in now stops at SOFTWARE_TOKEN_MFA.
    u2 = cognito(issuer, srp_pool, "hank")
    with pytest.raises(SoftwareTokenMFAChallengeException):
        u2.authenticate(password=PASSWORD)
    with pytest.raises(ClientError) as e:
        u2.respond_to_software_token_mfa_challenge("000000" if totp(secret, time.time() + 30) != "000000" else "111111")
    assert e.value.response["Error"]["Code"] == "CodeMismatchException"
    # The verification code's step is spent: use the next step's code.
    code = totp(secret, time.time() + 30)
    u2.respond_to_software_token_mfa_challenge(code)
    assert u2.access_claims["username"] == "hank"

    # The same code cannot be used twice.
    u3 = cognito(issuer, srp_pool, "hank")
    with pytest.raises(SoftwareTokenMFAChallengeException):
        u3.authenticate(password=PASSWORD)
    with pytest.raises(ClientError) as e:
        u3.respond_to_software_token_mfa_challenge(code)
    assert e.value.response["Error"]["Code"] == "ExpiredCodeException"

    # Sessions are single use.
    with pytest.raises(ClientError) as e:
        u2.respond_to_software_token_mfa_challenge(code)
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"

    # An administrator can switch it off again.
    idp.admin_set_user_mfa_preference(
        UserPoolId=srp_pool["id"], Username="hank",
        SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
    )
    cognito(issuer, srp_pool, "hank").authenticate(password=PASSWORD)


def test_required_mfa_setup_then_email_and_sms_codes_via_outbox(issuer, idp, srp_pool):
    pool_id, client_id = srp_pool["id"], srp_pool["client_id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )
    make_user(idp, srp_pool, "ivan")
    u = cognito(issuer, srp_pool, "ivan")
    from pycognito.aws_srp import AWSSRP

    aws = AWSSRP(username="ivan", password=PASSWORD, pool_id=pool_id,
                 client_id=client_id, client=u.client)
    params = aws.get_auth_params()
    r = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    r = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=aws.process_challenge(r["ChallengeParameters"], params),
    )
    assert r["ChallengeName"] == "MFA_SETUP"
    assert "SOFTWARE_TOKEN_MFA" in r["ChallengeParameters"]["MFAS_CAN_SETUP"]
    a = idp.associate_software_token(Session=r["Session"])
    v = idp.verify_software_token(Session=a["Session"], UserCode=totp(a["SecretCode"], time.time()))
    assert v["Status"] == "SUCCESS"
    done = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="MFA_SETUP", Session=v["Session"],
        ChallengeResponses={"USERNAME": "ivan"},
    )
    assert done["AuthenticationResult"]["AccessToken"]

    # Email and SMS codes land in the outbox.
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Your code is {####}"},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Code"},
        MfaConfiguration="ON",
    )
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="ivan",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
    )
    for settings, challenge, medium, key in [
        ({"EmailMfaSettings": {"Enabled": True, "PreferredMfa": True}}, "EMAIL_OTP", "EMAIL", "EMAIL_OTP_CODE"),
        ({"SMSMfaSettings": {"Enabled": True, "PreferredMfa": True}}, "SMS_MFA", "SMS", "SMS_MFA_CODE"),
    ]:
        idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="ivan", **settings)
        aws = AWSSRP(username="ivan", password=PASSWORD, pool_id=pool_id,
                     client_id=client_id, client=u.client)
        params = aws.get_auth_params()
        r = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
        r = idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=aws.process_challenge(r["ChallengeParameters"], params),
        )
        assert r["ChallengeName"] == challenge
        assert r["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == medium
        code = issuer.latest_code(pool_id, "ivan", kind="MFA_CODE")
        with pytest.raises(ClientError) as e:
            idp.respond_to_auth_challenge(
                ClientId=client_id, ChallengeName=challenge, Session=r["Session"],
                ChallengeResponses={"USERNAME": "ivan", key: "000000" if code != "000000" else "111111"},
            )
        assert e.value.response["Error"]["Code"] == "CodeMismatchException"
        ok = idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName=challenge, Session=r["Session"],
            ChallengeResponses={"USERNAME": "ivan", key: code},
        )
        assert ok["AuthenticationResult"]["IdToken"]
