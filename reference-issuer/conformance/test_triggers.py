"""Lambda triggers driven through boto3 (issue 14).

A separate issuer is started for this module with a configuration whose
pool names real handler code for its triggers: the Node and Python
handlers of the Rust tests (reference-issuer/tests/triggers/), run by the
issuer's shims (needs `node` and `python3` on the PATH). Every case goes
through boto3's cognito-idp client and checks the wire answer and what was
(not) stored: AdminGetUser / ListUsers and the issuer's outbox endpoint.
"""

import base64
import json
import os

import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import PASSWORD, start_issuer, stop_issuer

HANDLERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "triggers")
POOL = "us-east-1_BotoTrigs01"
CLIENT = "bototriggersclient00000001"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def handler(name):
    # JSON string syntax is valid TOML basic-string syntax.
    return json.dumps(os.path.normpath(os.path.join(HANDLERS, name)))


def config(mailbox):
    # Only bob needs a password: pre authentication and the custom
    # challenges run before any password check (and hashing costs seconds
    # in a debug build).
    users = "".join(
        f'[[pools.users]]\nusername = "{name}"\n{password}'
        f'attributes = {{ email = "{name}@example.com", email_verified = "true", '
        f'family_name = "{family}" }}\n'
        for name, family, password in [
            ("pat", "Smith", ""), ("quinn", "Blocked", ""),
            ("thrower", "T", ""), ("garbage", "G", ""), ("sleeper", "S", ""),
            ("bob", "B", f'password = "{PASSWORD}"\n'),
        ]
    )
    triggers = "".join(
        f'[triggers."{ARN}{export}"]\ncommand = ["node", {handler("custom-auth.js")}, "{export}"]\n'
        f"env = {{ MAILBOX = {json.dumps(mailbox)} }}\n"
        for export in ["define", "create", "verify"]
    )
    return f"""
[[pools]]
name = "boto3-triggers"
id = "{POOL}"
auto_verified_attributes = ["email"]

[pools.lambda_config]
pre_sign_up = "{ARN}pre-sign-up"
custom_message = "{ARN}custom-message"
user_migration = "{ARN}migrate"
pre_authentication = "{ARN}gatekeeper"
pre_token_generation_config = {{ lambda_version = "V2_0", lambda_arn = "{ARN}pre-token" }}
define_auth_challenge = "{ARN}define"
create_auth_challenge = "{ARN}create"
verify_auth_challenge_response = "{ARN}verify"

[[pools.clients]]
name = "app"
id = "{CLIENT}"
explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
prevent_user_existence_errors = false

{users}
[triggers."{ARN}pre-sign-up"]
command = ["node", {handler("pre-sign-up.mjs")}]

[triggers."{ARN}custom-message"]
command = ["node", {handler("custom-message.js")}]

[triggers."{ARN}migrate"]
command = ["python3", {handler("migrate.py")}]
env = {{ LEGACY_STORE = {handler("legacy_users.json")} }}

[triggers."{ARN}gatekeeper"]
command = ["python3", {handler("gatekeeper.py")}, "check"]

[triggers."{ARN}pre-token"]
command = ["node", {handler("pre-token.mjs")}]

{triggers}"""


class Site:
    """The issuer running the handlers, and a boto3 client for it."""

    def __init__(self, issuer, idp, mailbox):
        self.issuer = issuer
        self.idp = idp
        self.mailbox = mailbox

    def outbox(self, username):
        return self.issuer.outbox(POOL, username)

    def emailed_code(self, username):
        """The code custom-auth.js's CreateAuthChallenge "emailed"."""
        with open(self.mailbox) as f:
            return json.load(f)[username]

    def stored(self, username):
        """AdminGetUser's answer, or None when no such user is stored."""
        try:
            return self.idp.admin_get_user(UserPoolId=POOL, Username=username)
        except self.idp.exceptions.UserNotFoundException:
            return None

    def sign_in(self, username, password=PASSWORD):
        return self.idp.initiate_auth(
            ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    mailbox = str(tmp_path_factory.mktemp("mailbox") / "mailbox.json")
    issuer, _ = start_issuer(config=config(mailbox))
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=issuer.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    yield Site(issuer, idp, mailbox)
    stop_issuer(issuer)


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def error_of(fn, **kwargs):
    """Calls fn and returns (code, message) of the 400 ClientError it must raise."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kwargs)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    err = e.value.response["Error"]
    return err["Code"], err["Message"]


def attrs(user):
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def sign_up(site, username, email, **extra):
    return site.idp.sign_up(
        ClientId=CLIENT, Username=username, Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}], **extra,
    )


def test_node_pre_sign_up_admits_one_domain_and_auto_confirms(site):
    # Refused by the async handler's throw: AWS's message, nothing stored or sent.
    assert error_of(sign_up, site=site, username="mallory", email="mallory@other.org") == (
        "UserLambdaValidationException", "PreSignUp failed with error Only company emails.",
    )
    assert site.stored("mallory") is None
    assert site.idp.list_users(UserPoolId=POOL, Filter='username = "mallory"')["Users"] == []
    assert site.outbox("mallory") == []

    # Admitted: confirmed with a verified email at once, so no code is sent.
    up = sign_up(site, "alice", "alice@example.com")
    assert up["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in up
    alice = site.stored("alice")
    assert alice["UserStatus"] == "CONFIRMED"
    assert attrs(alice)["email_verified"] == "true"
    assert site.outbox("alice") == []
    assert "AccessToken" in site.sign_in("alice")["AuthenticationResult"]


def test_node_callback_custom_message_is_the_message_sent(site):
    # ClientMetadata asks the pre sign-up handler for a manual confirmation.
    up = sign_up(site, "carol", "carol@example.com", ClientMetadata={"confirm": "manual"})
    assert up["UserConfirmed"] is False
    assert up["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    [msg] = site.outbox("carol")
    assert msg["kind"] == "SIGN_UP"
    assert msg["message"] == f"Welcome carol@example.com! Your code is {msg['code']}"
    site.idp.confirm_sign_up(ClientId=CLIENT, Username="carol", ConfirmationCode=msg["code"])
    assert site.stored("carol")["UserStatus"] == "CONFIRMED"


def test_node_pre_token_v2_adds_claims_and_a_scope(site):
    sign_up(site, "dora", "dora@example.com")
    tokens = site.sign_in("dora")["AuthenticationResult"]
    idc, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert idc["tenant"] == "acme"
    assert idc["source"] == "TokenGeneration_Authentication"
    assert idc["meta"] == "none", "InitiateAuth's ClientMetadata does not reach the trigger"
    assert idc["sub"] != "forged" and idc["cognito:username"] == "dora"
    assert access["perms"] == ["read", "write"]
    assert access["username"] == "dora", "username is not modifiable"
    assert access["sub"] == idc["sub"]
    assert set(access["scope"].split()) == {"aws.cognito.signin.user.admin", "orders/read"}
    assert "tenant" not in access

    # A refresh fires it again, as TokenGeneration_RefreshTokens.
    refreshed = site.idp.initiate_auth(
        ClientId=CLIENT, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert claims(refreshed["IdToken"])["source"] == "TokenGeneration_RefreshTokens"
    assert "orders/read" in claims(refreshed["AccessToken"])["scope"].split()


def test_python_user_migration_creates_the_user_on_first_sign_in(site):
    # A wrong legacy password: the handler throws, nobody is created.
    assert error_of(site.sign_in, username="erin", password="wrong-Pass1!") == (
        "UserLambdaValidationException", "UserMigration failed with error Bad password.",
    )
    assert site.stored("erin") is None

    # The right one: created CONFIRMED from the returned attributes, no welcome.
    tokens = site.sign_in("erin", "Legacy-Pass1!")["AuthenticationResult"]
    assert claims(tokens["IdToken"])["email"] == "erin@example.com"
    erin = site.stored("erin")
    assert erin["UserStatus"] == "CONFIRMED"
    assert attrs(erin)["email"] == "erin@example.com"
    assert attrs(erin)["email_verified"] == "true"
    assert [u["Username"] for u in site.idp.list_users(
        UserPoolId=POOL, Filter='email = "erin@example.com"')["Users"]] == ["erin"]
    assert site.outbox("erin") == []
    # From now on the issuer checks the password itself.
    assert "IdToken" in site.sign_in("erin", "Legacy-Pass1!")["AuthenticationResult"]

    # Unknown to the legacy store too: the handler's error, nothing stored.
    assert error_of(site.sign_in, username="nobody") == (
        "UserLambdaValidationException", "UserMigration failed with error User does not exist.",
    )
    assert site.stored("nobody") is None


def test_node_custom_auth_passwordless_sign_in(site):
    start = site.idp.initiate_auth(
        ClientId=CLIENT, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "pat"},
    )
    assert start["ChallengeName"] == "CUSTOM_CHALLENGE"
    params = start["ChallengeParameters"]
    assert params["USERNAME"] == "pat"
    assert params["email"] == "p***@example.com"
    assert params["attempt"] == "1"
    assert "code" not in params, "private challenge parameters stay private"

    def answer(challenge, code):
        return site.idp.respond_to_auth_challenge(
            ClientId=CLIENT, ChallengeName="CUSTOM_CHALLENGE", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "pat", "ANSWER": code},
        )

    # A wrong code: another round, a fresh code and the first result in the history.
    again = answer(start, "000000")
    assert again["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert again["ChallengeParameters"]["attempt"] == "2"
    assert json.loads(again["ChallengeParameters"]["history"]) == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False,
         "challengeMetadata": "EMAIL_CODE"},
    ]
    # Each Session answers once.
    assert error_of(answer, challenge=start, code=site.emailed_code("pat")) == (
        "NotAuthorizedException", "Invalid session for the user, session is expired.",
    )
    done = answer(again, site.emailed_code("pat"))
    assert "ChallengeName" not in done
    tokens = done["AuthenticationResult"]
    idc = claims(tokens["IdToken"])
    assert idc["cognito:username"] == "pat"
    assert idc["source"] == "TokenGeneration_Authentication"
    assert claims(tokens["AccessToken"])["token_use"] == "access"

    # DefineAuthChallenge's failAuthentication.
    assert error_of(
        site.idp.initiate_auth, ClientId=CLIENT, AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "quinn"},
    ) == ("NotAuthorizedException", "Incorrect username or password.")


def test_python_handler_that_throws_or_returns_garbage(site):
    assert error_of(site.sign_in, username="thrower") == (
        "UserLambdaValidationException", "PreAuthentication failed with error Blocked.",
    )
    assert error_of(site.sign_in, username="garbage") == (
        "InvalidLambdaResponseException", "Unrecognizable lambda output",
    )
    # The refused sign-ins changed nobody.
    assert site.stored("thrower")["UserStatus"] == "CONFIRMED"
    assert site.stored("garbage")["UserStatus"] == "CONFIRMED"


def test_python_handler_past_the_5s_limit(site):
    # The module's one case that waits AWS's 5 s Lambda timeout.
    assert error_of(site.sign_in, username="sleeper") == (
        "UnexpectedLambdaException",
        "PreAuthentication invocation failed due to error Socket timeout while invoking "
        "Lambda function.",
    )
    # The sleeping process was replaced: the next event is answered.
    assert "AccessToken" in site.sign_in("bob")["AuthenticationResult"]
