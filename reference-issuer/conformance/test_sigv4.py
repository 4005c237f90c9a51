"""Management operations with access keys configured: boto3 signs the
IAM-authorized operations (Admin*, ListUsers, pool management) with SigV4;
the issuer accepts only signatures by a configured key and leaves the public
operations (SignUp, InitiateAuth, ...) unsigned, as AWS does."""

import urllib.request

import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import PASSWORD, start_issuer, stop_issuer

KEY_ID = "AKIDCONFORMANCE"
SECRET = "conformance/secret+key"


@pytest.fixture(scope="module")
def signed_issuer():
    running, banner = start_issuer(["--access-key", f"{KEY_ID}:{SECRET}"])
    running.banner = banner
    yield running
    stop_issuer(running)


def client(issuer, key_id=KEY_ID, secret=SECRET, region="us-east-1"):
    return boto3.client(
        "cognito-idp",
        endpoint_url=issuer.url,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def refusal(fn, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kwargs)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_banner_states_the_mode(signed_issuer):
    assert "  management   : SigV4 with 1 access key(s)" in signed_issuer.banner


def test_signed_management_calls_work(signed_issuer):
    idp = client(signed_issuer)
    pool = idp.create_user_pool(PoolName="signed")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool, Username="sig", MessageAction="SUPPRESS")
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool)["Users"]] == ["sig"]


def test_wrong_keys_are_refused_as_aws_does(signed_issuer):
    pool = signed_issuer.pools["conformance-default"]["pool_id"]
    code, msg = refusal(client(signed_issuer, secret="wrong").list_users, UserPoolId=pool)
    assert code == "InvalidSignatureException"
    assert msg.startswith("The request signature we calculated does not match")
    code, msg = refusal(client(signed_issuer, key_id="AKIDUNKNOWN").list_users, UserPoolId=pool)
    assert (code, msg) == ("UnrecognizedClientException",
                           "The security token included in the request is invalid.")
    code, msg = refusal(client(signed_issuer, region="eu-west-1").list_users, UserPoolId=pool)
    assert code == "InvalidSignatureException" and "region" in msg


def test_unsigned_management_calls_are_refused(signed_issuer):
    pool = signed_issuer.pools["conformance-default"]["pool_id"]
    status, _, body = signed_issuer.raw("AWSCognitoIdentityProviderService.AdminCreateUser",
                                        f'{{"UserPoolId": "{pool}", "Username": "x"}}'.encode())
    assert status == 400 and body["__type"] == "MissingAuthenticationTokenException"


def test_public_operations_stay_unsigned(signed_issuer):
    pool = signed_issuer.pools["conformance-default"]
    unsigned = boto3.client(
        "cognito-idp", endpoint_url=signed_issuer.url, region_name="us-east-1",
        config=botocore.config.Config(signature_version=botocore.UNSIGNED),
    )
    client_id = pool["clients"][0]["client_id"]
    res = unsigned.sign_up(ClientId=client_id, Username="pub", Password=PASSWORD,
                           UserAttributes=[{"Name": "email", "Value": "pub@example.com"}])
    assert res["UserConfirmed"] is False
    code, _ = refusal(unsigned.admin_confirm_sign_up, UserPoolId=pool["pool_id"], Username="pub")
    assert code == "MissingAuthenticationTokenException"
    client(signed_issuer).admin_confirm_sign_up(UserPoolId=pool["pool_id"], Username="pub")
    out = unsigned.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "pub", "PASSWORD": PASSWORD})
    assert "IdToken" in out["AuthenticationResult"]


def test_admin_endpoints_refuse_foreign_hosts(signed_issuer):
    req = urllib.request.Request(signed_issuer.url + "/_issuer/pools",
                                 headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 421
