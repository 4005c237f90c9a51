"""boto3 conformance suite for cognito-issuer's user pool API.

Every call goes through boto3's real serializer and error parser against a
running issuer process (see conftest.py). Codes are read from the issuer's
outbox endpoint.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.request

import botocore.exceptions
import pytest

from conftest import PASSWORD

ID_CLAIMS = {
    "sub", "email_verified", "iss", "cognito:username", "origin_jti", "aud", "event_id",
    "token_use", "auth_time", "exp", "iat", "jti", "email",
}
ACCESS_CLAIMS = {
    "sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time",
    "exp", "iat", "jti", "username",
}


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def header(jwt):
    h = jwt.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))


def error_of(fn, **kwargs):
    """Calls fn and returns (code, message) of the ClientError it must raise."""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn(**kwargs)
    err = e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return err["Code"], err["Message"]


def secret_hash(secret, username, client_id):
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def sign_up_confirmed(idp, issuer, pool, username, email, password=PASSWORD):
    idp.sign_up(
        ClientId=pool["client_id"], Username=username, Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    code = issuer.latest_code(pool["id"], username, "SIGN_UP")
    idp.confirm_sign_up(ClientId=pool["client_id"], Username=username, ConfirmationCode=code)


def password_auth(idp, pool, username, password=PASSWORD):
    return idp.initiate_auth(
        ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


# --------------------------------------------------------------------------
# Default pool and set-up operations


def test_default_configured_pools_are_ready(idp, issuer):
    pools = {p["Name"]: p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]}
    for name in ("conformance-default", "throttled", "aws-style"):
        assert name in pools
    aws = issuer.pools["aws-style"]
    assert aws["pool_id"].startswith("eu-west-1_")
    assert aws["issuer"] == f"https://cognito-idp.eu-west-1.amazonaws.com/{aws['pool_id']}"
    disc = issuer.get_json(f"/{aws['pool_id']}/.well-known/openid-configuration")
    assert disc["issuer"] == aws["issuer"]
    assert disc["jwks_uri"] == f"{issuer.url}/{aws['pool_id']}/.well-known/jwks.json"
    jwks = issuer.get_json(f"/{aws['pool_id']}/.well-known/jwks.json")
    assert len(jwks["keys"]) == 2
    assert {k["kty"] for k in jwks["keys"]} == {"RSA"}


def test_pool_client_group_resource_server_setup(idp):
    p = idp.create_user_pool(
        PoolName="setup-pool",
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False,
                                     "RequireUppercase": True, "RequireLowercase": True,
                                     "RequireNumbers": True}},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["UserPool"]
    pid = p["Id"]
    assert pid.startswith("us-east-1_") and len(pid) == len("us-east-1_") + 9
    assert p["Arn"].endswith(f":userpool/{pid}")
    d = idp.describe_user_pool(UserPoolId=pid)["UserPool"]
    assert d["Name"] == "setup-pool"
    assert d["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert d["UsernameAttributes"] == ["email"]
    assert d["EstimatedNumberOfUsers"] == 0

    rs = idp.create_resource_server(
        UserPoolId=pid, Identifier="https://api.example.com", Name="api",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "read things"}],
    )["ResourceServer"]
    assert rs["Identifier"] == "https://api.example.com"
    servers = idp.list_resource_servers(UserPoolId=pid, MaxResults=10)["ResourceServers"]
    assert [s["Identifier"] for s in servers] == ["https://api.example.com"]

    c = idp.create_user_pool_client(
        UserPoolId=pid, ClientName="backend", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["https://api.example.com/read"],
        AccessTokenValidity=15, IdTokenValidity=15, RefreshTokenValidity=7,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    )["UserPoolClient"]
    assert len(c["ClientSecret"]) >= 40
    assert len(c["ClientId"]) == 26
    got = idp.describe_user_pool_client(UserPoolId=pid, ClientId=c["ClientId"])["UserPoolClient"]
    assert got["ClientSecret"] == c["ClientSecret"]
    assert got["AllowedOAuthScopes"] == ["https://api.example.com/read"]
    assert got["AccessTokenValidity"] == 15
    listed = idp.list_user_pool_clients(UserPoolId=pid, MaxResults=10)["UserPoolClients"]
    assert [x["ClientId"] for x in listed] == [c["ClientId"]]
    upd = idp.update_user_pool_client(
        UserPoolId=pid, ClientId=c["ClientId"], ClientName="backend2",
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    assert upd["ClientName"] == "backend2"
    assert upd["ClientSecret"] == c["ClientSecret"]
    assert upd["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]

    code, _ = error_of(idp.create_user_pool_client, UserPoolId=pid, ClientName="x",
                       AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
                       AllowedOAuthScopes=["https://api.example.com/write"],
                       CallbackURLs=["https://example.com/cb"])
    assert code == "ScopeDoesNotExistException"

    g = idp.create_group(UserPoolId=pid, GroupName="admins", Description="d", Precedence=1)["Group"]
    assert g["GroupName"] == "admins" and g["Precedence"] == 1
    assert idp.get_group(UserPoolId=pid, GroupName="admins")["Group"]["Description"] == "d"
    idp.create_group(UserPoolId=pid, GroupName="readers")
    assert [x["GroupName"] for x in idp.list_groups(UserPoolId=pid)["Groups"]] == ["admins", "readers"]
    code, _ = error_of(idp.create_group, UserPoolId=pid, GroupName="admins")
    assert code == "GroupExistsException"
    idp.delete_group(UserPoolId=pid, GroupName="readers")
    code, msg = error_of(idp.get_group, UserPoolId=pid, GroupName="readers")
    assert code == "ResourceNotFoundException"

    idp.delete_user_pool_client(UserPoolId=pid, ClientId=c["ClientId"])
    code, _ = error_of(idp.describe_user_pool_client, UserPoolId=pid, ClientId=c["ClientId"])
    assert code == "ResourceNotFoundException"
    idp.delete_user_pool(UserPoolId=pid)
    code, msg = error_of(idp.describe_user_pool, UserPoolId=pid)
    assert code == "ResourceNotFoundException"
    assert pid in msg


# --------------------------------------------------------------------------
# Self-service life cycle


# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)


def test_oauth_client_settings_and_ui_customization(idp):
    pid = idp.create_user_pool(PoolName="hosted")["UserPool"]["Id"]
    c = idp.create_user_pool_client(
        UserPoolId=pid, ClientName="web", AllowedOAuthFlows=["code"],
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=["http://localhost:3000/callback"], LogoutURLs=["http://localhost:3000/"],
        DefaultRedirectURI="http://localhost:3000/callback",
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    assert c["CallbackURLs"] == ["http://localhost:3000/callback"]
    assert c["DefaultRedirectURI"] == "http://localhost:3000/callback"
    code, _ = error_of(idp.create_user_pool_client, UserPoolId=pid, ClientName="x",
                       AllowedOAuthFlows=["client_credentials"],
                       AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthScopes=["openid"])
    assert code == "InvalidOAuthFlowException"
    code, _ = error_of(idp.create_user_pool_client, UserPoolId=pid, ClientName="x",
                       AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
                       AllowedOAuthScopes=["openid"], CallbackURLs=["http://example.com/cb"])
    assert code == "InvalidParameterException"

    code, _ = error_of(idp.set_ui_customization, UserPoolId=pid, CSS="")
    assert code == "InvalidParameterException"  # no domain yet
    idp.create_user_pool_domain(UserPoolId=pid, Domain="hosted-conformance")
    css = ".banner-customizable { background-color: #0b5394; }"
    ui = idp.set_ui_customization(UserPoolId=pid, ClientId="ALL", CSS=css, ImageFile=PNG)[
        "UICustomization"]
    assert ui["CSS"] == css and ui["ClientId"] == "ALL"
    got = idp.get_ui_customization(UserPoolId=pid, ClientId=c["ClientId"])["UICustomization"]
    assert got["CSS"] == css and got["ImageUrl"] == ui["ImageUrl"]
    assert got["CreationDate"] == ui["CreationDate"]
    with urllib.request.urlopen(ui["ImageUrl"]) as r:
        assert r.read() == PNG and r.headers["Content-Type"] == "image/png"
    code, _ = error_of(idp.set_ui_customization, UserPoolId=pid, CSS="@import 'x.css';")
    assert code == "InvalidParameterException"


def test_schema_attributes_list_standard_and_custom(idp):
    p = idp.create_user_pool(
        PoolName="schema-pool",
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
                {"Name": "tenant", "AttributeDataType": "String", "Mutable": False,
                 "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"}}],
    )["UserPool"]
    schema = idp.describe_user_pool(UserPoolId=p["Id"])["UserPool"]["SchemaAttributes"]
    by_name = {a["Name"]: a for a in schema}
    names = [a["Name"] for a in schema]
    # Cognito's 20 standard attributes first, in its order, then the custom one.
    assert names[:3] == ["sub", "name", "given_name"]
    assert names[-2:] == ["updated_at", "custom:tenant"]
    assert len(names) == 21
    assert by_name["sub"] == {
        "Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
        "Mutable": False, "Required": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}}
    assert by_name["email"]["Required"] is True
    assert by_name["email"]["StringAttributeConstraints"] == {"MinLength": "0", "MaxLength": "2048"}
    assert by_name["phone_number"]["Required"] is False
    assert by_name["email_verified"]["AttributeDataType"] == "Boolean"
    assert by_name["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
    assert by_name["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
    assert by_name["custom:tenant"] == {
        "Name": "custom:tenant", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
        "Mutable": False, "Required": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"}}


def test_sign_up_confirm_sign_in_refresh_and_groups(idp, issuer, pool):
    r = idp.sign_up(
        ClientId=pool["client_id"], Username="alice", Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                        {"Name": "custom:tenant", "Value": "acme"}],
    )
    assert r["UserConfirmed"] is False
    assert r["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                        "AttributeName": "email"}
    sub = r["UserSub"]
    assert idp.admin_get_user(UserPoolId=pool["id"], Username="alice")["UserStatus"] == "UNCONFIRMED"
    code = issuer.latest_code(pool["id"], "alice", "SIGN_UP")
    idp.confirm_sign_up(ClientId=pool["client_id"], Username="alice", ConfirmationCode=code)
    u = idp.admin_get_user(UserPoolId=pool["id"], Username="alice")
    assert u["UserStatus"] == "CONFIRMED"
    attrs = {a["Name"]: a["Value"] for a in u["UserAttributes"]}
    assert attrs["email_verified"] == "true" and attrs["sub"] == sub

    res = password_auth(idp, pool, "alice")["AuthenticationResult"]
    assert res["TokenType"] == "Bearer" and res["ExpiresIn"] == 3600
    idc, acc = claims(res["IdToken"]), claims(res["AccessToken"])
    assert set(idc) == ID_CLAIMS | {"custom:tenant"}
    assert set(acc) == ACCESS_CLAIMS
    assert idc["token_use"] == "id" and acc["token_use"] == "access"
    assert idc["email_verified"] is True and idc["custom:tenant"] == "acme"
    assert idc["aud"] == pool["client_id"] and acc["client_id"] == pool["client_id"]
    assert idc["iss"] == f"{issuer.url}/{pool['id']}" == acc["iss"]
    assert idc["cognito:username"] == "alice" and acc["username"] == "alice"
    assert idc["sub"] == sub == acc["sub"]
    assert acc["scope"] == "aws.cognito.signin.user.admin"
    assert idc["origin_jti"] == acc["origin_jti"]
    assert idc["exp"] - idc["iat"] == 3600
    assert header(res["IdToken"])["kid"] != header(res["AccessToken"])["kid"]
    jwks = issuer.get_json(f"/{pool['id']}/.well-known/jwks.json")
    assert {header(res["IdToken"])["kid"], header(res["AccessToken"])["kid"]} == {k["kid"] for k in jwks["keys"]}

    # Sign-in by verified email alias.
    assert "AuthenticationResult" in password_auth(idp, pool, "alice@example.com")

    idp.create_group(UserPoolId=pool["id"], GroupName="editors", Precedence=2)
    idp.create_group(UserPoolId=pool["id"], GroupName="admins", Precedence=1)
    idp.admin_add_user_to_group(UserPoolId=pool["id"], Username="alice", GroupName="editors")
    idp.admin_add_user_to_group(UserPoolId=pool["id"], Username="alice", GroupName="admins")
    ref = idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={"REFRESH_TOKEN": res["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in ref
    idc2, acc2 = claims(ref["IdToken"]), claims(ref["AccessToken"])
    assert idc2["cognito:groups"] == ["admins", "editors"]
    assert acc2["cognito:groups"] == ["admins", "editors"]
    assert set(acc2) == ACCESS_CLAIMS | {"cognito:groups"}
    assert idc2["origin_jti"] == idc["origin_jti"] and idc2["jti"] != idc["jti"]
    assert idc2["auth_time"] == idc["auth_time"]
    # REFRESH_TOKEN is accepted as an alias of REFRESH_TOKEN_AUTH.
    assert "AuthenticationResult" in idp.initiate_auth(
        ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN",
        AuthParameters={"REFRESH_TOKEN": res["RefreshToken"]})

    g = idp.admin_list_groups_for_user(UserPoolId=pool["id"], Username="alice")["Groups"]
    assert [x["GroupName"] for x in g] == ["admins", "editors"]
    users = idp.list_users_in_group(UserPoolId=pool["id"], GroupName="admins")["Users"]
    assert [x["Username"] for x in users] == ["alice"]
    idp.admin_remove_user_from_group(UserPoolId=pool["id"], Username="alice", GroupName="admins")
    assert idp.list_users_in_group(UserPoolId=pool["id"], GroupName="admins")["Users"] == []


def test_attribute_update_and_verification(idp, issuer, pool):
    sign_up_confirmed(idp, issuer, pool, "carol", "carol@example.com")
    tok = password_auth(idp, pool, "carol")["AuthenticationResult"]["AccessToken"]
    r = idp.update_user_attributes(
        AccessToken=tok,
        UserAttributes=[{"Name": "email", "Value": "carol2@example.com"},
                        {"Name": "given_name", "Value": "Carol"}],
    )
    assert r["CodeDeliveryDetailsList"][0]["AttributeName"] == "email"
    me = idp.get_user(AccessToken=tok)
    attrs = {a["Name"]: a["Value"] for a in me["UserAttributes"]}
    assert me["Username"] == "carol"
    assert attrs["email"] == "carol2@example.com" and attrs["email_verified"] == "false"
    assert attrs["given_name"] == "Carol"
    code = issuer.latest_code(pool["id"], "carol", "VERIFY_ATTRIBUTE")
    c, _ = error_of(idp.verify_user_attribute, AccessToken=tok, AttributeName="email", Code="000000"
                    if code != "000000" else "111111")
    assert c == "CodeMismatchException"
    idp.verify_user_attribute(AccessToken=tok, AttributeName="email", Code=code)
    attrs = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=tok)["UserAttributes"]}
    assert attrs["email_verified"] == "true"
    # Re-request a code explicitly and verify again.
    d = idp.get_user_attribute_verification_code(AccessToken=tok, AttributeName="email")
    assert d["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    idp.verify_user_attribute(AccessToken=tok, AttributeName="email",
                              Code=issuer.latest_code(pool["id"], "carol", "VERIFY_ATTRIBUTE"))
    # New claims show up in fresh tokens.
    idc = claims(password_auth(idp, pool, "carol")["AuthenticationResult"]["IdToken"])
    assert idc["email"] == "carol2@example.com" and idc["given_name"] == "Carol"
    idp.delete_user_attributes(AccessToken=tok, UserAttributeNames=["given_name"])
    attrs = {a["Name"] for a in idp.get_user(AccessToken=tok)["UserAttributes"]}
    assert "given_name" not in attrs


def test_forgot_password_and_change_password(idp, issuer, pool):
    sign_up_confirmed(idp, issuer, pool, "dave", "dave@example.com")
    r = idp.forgot_password(ClientId=pool["client_id"], Username="dave")
    assert r["CodeDeliveryDetails"]["Destination"] == "d***@e***"
    code = issuer.latest_code(pool["id"], "dave", "FORGOT_PASSWORD")
    new_pw = "N3w-Password!"
    c, msg = error_of(idp.confirm_forgot_password, ClientId=pool["client_id"], Username="dave",
                      ConfirmationCode=code, Password="weak")
    assert c == "InvalidPasswordException"
    idp.confirm_forgot_password(ClientId=pool["client_id"], Username="dave",
                                ConfirmationCode=code, Password=new_pw)
    c, _ = error_of(password_auth, idp=idp, pool=pool, username="dave")
    assert c == "NotAuthorizedException"
    tok = password_auth(idp, pool, "dave", new_pw)["AuthenticationResult"]["AccessToken"]
    # A used code is expired.
    c, _ = error_of(idp.confirm_forgot_password, ClientId=pool["client_id"], Username="dave",
                    ConfirmationCode=code, Password=PASSWORD)
    assert c == "ExpiredCodeException"

    c, msg = error_of(idp.change_password, AccessToken=tok, PreviousPassword="Wrong-Pass1!",
                      ProposedPassword=PASSWORD)
    assert c == "NotAuthorizedException" and msg == "Incorrect username or password."
    idp.change_password(AccessToken=tok, PreviousPassword=new_pw, ProposedPassword="Chang3d-Pass!")
    assert "AuthenticationResult" in password_auth(idp, pool, "dave", "Chang3d-Pass!")


def test_global_sign_out_and_revoke_token(idp, issuer, pool):
    sign_up_confirmed(idp, issuer, pool, "erin", "erin@example.com")
    a = password_auth(idp, pool, "erin")["AuthenticationResult"]
    b = password_auth(idp, pool, "erin")["AuthenticationResult"]
    # RevokeToken kills one sign-in only.
    idp.revoke_token(Token=a["RefreshToken"], ClientId=pool["client_id"])
    c, msg = error_of(idp.initiate_auth, ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": a["RefreshToken"]})
    assert c == "NotAuthorizedException" and "revoked" in msg
    c, msg = error_of(idp.get_user, AccessToken=a["AccessToken"])
    assert c == "NotAuthorizedException"
    assert idp.get_user(AccessToken=b["AccessToken"])["Username"] == "erin"
    # GlobalSignOut kills all of them.
    idp.global_sign_out(AccessToken=b["AccessToken"])
    c, msg = error_of(idp.initiate_auth, ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": b["RefreshToken"]})
    assert c == "NotAuthorizedException"
    c, msg = error_of(idp.get_user, AccessToken=b["AccessToken"])
    assert c == "NotAuthorizedException" and msg == "Access Token has been revoked"
    # Admin global sign-out.
    d = password_auth(idp, pool, "erin")["AuthenticationResult"]
    idp.admin_user_global_sign_out(UserPoolId=pool["id"], Username="erin")
    c, _ = error_of(idp.initiate_auth, ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": d["RefreshToken"]})
    assert c == "NotAuthorizedException"
    c, msg = error_of(idp.initiate_auth, ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": "not-a-token"})
    assert c == "NotAuthorizedException" and msg == "Invalid Refresh Token"
    # DeleteUser with a fresh token.
    e = password_auth(idp, pool, "erin")["AuthenticationResult"]
    idp.delete_user(AccessToken=e["AccessToken"])
    c, _ = error_of(idp.admin_get_user, UserPoolId=pool["id"], Username="erin")
    assert c == "UserNotFoundException"


# --------------------------------------------------------------------------
# Admin flows


def test_admin_create_user_force_change_password(idp, issuer, pool):
    u = idp.admin_create_user(
        UserPoolId=pool["id"], Username="frank", TemporaryPassword="Temp-Pass1!",
        UserAttributes=[{"Name": "email", "Value": "frank@example.com"},
                        {"Name": "email_verified", "Value": "true"}],
    )["User"]
    assert u["UserStatus"] == "FORCE_CHANGE_PASSWORD" and u["Enabled"] is True
    invitation = [m for m in issuer.outbox(pool["id"], "frank") if m["kind"] == "INVITATION"]
    assert invitation and "Temp-Pass1!" in invitation[0]["message"]

    r = idp.admin_initiate_auth(
        UserPoolId=pool["id"], ClientId=pool["client_id"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "frank", "PASSWORD": "Temp-Pass1!"},
    )
    assert r["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert r["ChallengeParameters"]["USER_ID_FOR_SRP"] == "frank"
    assert json.loads(r["ChallengeParameters"]["userAttributes"])["email"] == "frank@example.com"
    c, _ = error_of(idp.admin_respond_to_auth_challenge, UserPoolId=pool["id"],
                    ClientId=pool["client_id"], ChallengeName="NEW_PASSWORD_REQUIRED",
                    Session=r["Session"],
                    ChallengeResponses={"USERNAME": "frank", "NEW_PASSWORD": "short"})
    assert c == "InvalidPasswordException"
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool["id"], ClientId=pool["client_id"], ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=r["Session"],
        ChallengeResponses={"USERNAME": "frank", "NEW_PASSWORD": PASSWORD,
                            "userAttributes.given_name": "Frank"},
    )
    assert claims(done["AuthenticationResult"]["IdToken"])["given_name"] == "Frank"
    # Sessions are single-use.
    c, _ = error_of(idp.admin_respond_to_auth_challenge, UserPoolId=pool["id"],
                    ClientId=pool["client_id"], ChallengeName="NEW_PASSWORD_REQUIRED",
                    Session=r["Session"],
                    ChallengeResponses={"USERNAME": "frank", "NEW_PASSWORD": PASSWORD})
    assert c == "NotAuthorizedException"
    assert idp.admin_get_user(UserPoolId=pool["id"], Username="frank")["UserStatus"] == "CONFIRMED"

    # The same challenge through the public API.
    idp.admin_create_user(UserPoolId=pool["id"], Username="gina", TemporaryPassword="Temp-Pass1!",
                          MessageAction="SUPPRESS")
    assert issuer.outbox(pool["id"], "gina") == []
    r = password_auth(idp, pool, "gina", "Temp-Pass1!")
    assert r["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = idp.respond_to_auth_challenge(
        ClientId=pool["client_id"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=r["Session"],
        ChallengeResponses={"USERNAME": "gina", "NEW_PASSWORD": PASSWORD})
    assert claims(done["AuthenticationResult"]["AccessToken"])["username"] == "gina"

    # RESEND re-invites a user still in FORCE_CHANGE_PASSWORD.
    idp.admin_create_user(UserPoolId=pool["id"], Username="hank",
                          UserAttributes=[{"Name": "email", "Value": "hank@example.com"}])
    idp.admin_create_user(UserPoolId=pool["id"], Username="hank", MessageAction="RESEND")
    assert len([m for m in issuer.outbox(pool["id"], "hank") if m["kind"] == "INVITATION"]) == 2


def test_admin_user_operations(idp, issuer, pool):
    pid = pool["id"]
    idp.sign_up(ClientId=pool["client_id"], Username="ivan", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "ivan@example.com"}])
    idp.admin_confirm_sign_up(UserPoolId=pid, Username="ivan")
    c, msg = error_of(idp.admin_confirm_sign_up, UserPoolId=pid, Username="ivan")
    assert c == "NotAuthorizedException" and "CONFIRMED" in msg
    idp.admin_update_user_attributes(UserPoolId=pid, Username="ivan", UserAttributes=[
        {"Name": "family_name", "Value": "Ivanov"}, {"Name": "email_verified", "Value": "true"}])
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pid, Username="ivan")["UserAttributes"]}
    assert attrs["family_name"] == "Ivanov" and attrs["email_verified"] == "true"
    idp.admin_delete_user_attributes(UserPoolId=pid, Username="ivan", UserAttributeNames=["family_name"])
    attrs = {a["Name"] for a in idp.admin_get_user(UserPoolId=pid, Username="ivan")["UserAttributes"]}
    assert "family_name" not in attrs and "email" in attrs
    c, msg = error_of(idp.admin_delete_user_attributes, UserPoolId=pid, Username="ivan",
                      UserAttributeNames=["sub"])
    assert c == "InvalidParameterException" and "sub" in msg

    idp.admin_disable_user(UserPoolId=pid, Username="ivan")
    assert idp.admin_get_user(UserPoolId=pid, Username="ivan")["Enabled"] is False
    c, msg = error_of(password_auth, idp=idp, pool=pool, username="ivan")
    assert c == "NotAuthorizedException" and msg == "User is disabled."
    idp.admin_enable_user(UserPoolId=pid, Username="ivan")
    assert "AuthenticationResult" in password_auth(idp, pool, "ivan")

    idp.admin_set_user_password(UserPoolId=pid, Username="ivan", Password="An0ther-Pass!", Permanent=True)
    assert "AuthenticationResult" in password_auth(idp, pool, "ivan", "An0ther-Pass!")
    idp.admin_set_user_password(UserPoolId=pid, Username="ivan", Password="Temp0rary-Pass!", Permanent=False)
    assert idp.admin_get_user(UserPoolId=pid, Username="ivan")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert password_auth(idp, pool, "ivan", "Temp0rary-Pass!")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    # ADMIN_NO_SRP_AUTH is the legacy name of the admin password flow.
    idp.admin_set_user_password(UserPoolId=pid, Username="ivan", Password=PASSWORD, Permanent=True)
    r = idp.admin_initiate_auth(UserPoolId=pid, ClientId=pool["client_id"], AuthFlow="ADMIN_NO_SRP_AUTH",
                                AuthParameters={"USERNAME": "ivan", "PASSWORD": PASSWORD})
    rt = r["AuthenticationResult"]["RefreshToken"]
    r = idp.admin_initiate_auth(UserPoolId=pid, ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": rt})
    assert "IdToken" in r["AuthenticationResult"]

    idp.admin_delete_user(UserPoolId=pid, Username="ivan")
    c, msg = error_of(idp.admin_get_user, UserPoolId=pid, Username="ivan")
    assert c == "UserNotFoundException" and msg == "User does not exist."


def test_list_users_filter_and_pagination(idp, issuer, pool):
    pid = pool["id"]
    for i, name in enumerate(["jack", "jane", "john", "kate"]):
        idp.admin_create_user(UserPoolId=pid, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                                              {"Name": "given_name", "Value": name.capitalize()}])
    idp.admin_disable_user(UserPoolId=pid, Username="kate")

    def names(**kw):
        return sorted(u["Username"] for u in idp.list_users(UserPoolId=pid, **kw)["Users"])

    assert names() == ["jack", "jane", "john", "kate"]
    assert names(Filter='username = "jane"') == ["jane"]
    assert names(Filter='username ^= "ja"') == ["jack", "jane"]
    assert names(Filter='email = "john@example.com"') == ["john"]
    assert names(Filter='given_name ^= "K"') == ["kate"]
    assert names(Filter='status = "Disabled"') == ["kate"]
    assert names(Filter='cognito:user_status = "FORCE_CHANGE_PASSWORD"') == ["jack", "jane", "john", "kate"]
    sub = idp.admin_get_user(UserPoolId=pid, Username="john")["UserAttributes"]
    sub = [a["Value"] for a in sub if a["Name"] == "sub"][0]
    assert names(Filter=f'sub = "{sub}"') == ["john"]
    c, _ = error_of(idp.list_users, UserPoolId=pid, Filter="email is bob")
    assert c == "InvalidParameterException"

    only = idp.list_users(UserPoolId=pid, AttributesToGet=["email"], Filter='username = "jack"')["Users"][0]
    assert [a["Name"] for a in only["Attributes"]] == ["email"]

    page1 = idp.list_users(UserPoolId=pid, Limit=3)
    assert len(page1["Users"]) == 3 and "PaginationToken" in page1
    page2 = idp.list_users(UserPoolId=pid, Limit=3, PaginationToken=page1["PaginationToken"])
    assert len(page2["Users"]) == 1 and "PaginationToken" not in page2
    paginator = idp.get_paginator("list_users")
    all_users = [u["Username"] for p in paginator.paginate(UserPoolId=pid, PaginationConfig={"PageSize": 2})
                 for u in p["Users"]]
    assert sorted(all_users) == ["jack", "jane", "john", "kate"]


# --------------------------------------------------------------------------
# Confidential clients


def test_secret_hash_client(idp, issuer, pool):
    c = idp.create_user_pool_client(
        UserPoolId=pool["id"], ClientName="confidential", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cid, secret = c["ClientId"], c["ClientSecret"]
    code, msg = error_of(idp.sign_up, ClientId=cid, Username="kim", Password=PASSWORD)
    assert code == "NotAuthorizedException" and "SECRET_HASH was not received" in msg
    code, msg = error_of(idp.sign_up, ClientId=cid, Username="kim", Password=PASSWORD,
                         SecretHash=secret_hash(secret, "someone-else", cid))
    assert code == "NotAuthorizedException" and msg == f"Unable to verify secret hash for client {cid}"
    idp.sign_up(ClientId=cid, Username="kim", Password=PASSWORD,
                SecretHash=secret_hash(secret, "kim", cid),
                UserAttributes=[{"Name": "email", "Value": "kim@example.com"}])
    idp.confirm_sign_up(ClientId=cid, Username="kim", SecretHash=secret_hash(secret, "kim", cid),
                        ConfirmationCode=issuer.latest_code(pool["id"], "kim", "SIGN_UP"))
    code, _ = error_of(idp.initiate_auth, ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                       AuthParameters={"USERNAME": "kim", "PASSWORD": PASSWORD})
    assert code == "NotAuthorizedException"
    res = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "kim", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(secret, "kim", cid)})
    rt = res["AuthenticationResult"]["RefreshToken"]
    assert claims(res["AuthenticationResult"]["IdToken"])["aud"] == cid
    code, _ = error_of(idp.initiate_auth, ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                       AuthParameters={"REFRESH_TOKEN": rt})
    assert code == "NotAuthorizedException"
    res = idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        "REFRESH_TOKEN": rt, "SECRET_HASH": secret_hash(secret, "kim", cid)})
    assert "AccessToken" in res["AuthenticationResult"]
    # A refresh token is bound to its client.
    code, _ = error_of(idp.initiate_auth, ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                       AuthParameters={"REFRESH_TOKEN": rt})
    assert code == "NotAuthorizedException"
    # RevokeToken needs the client secret.
    code, _ = error_of(idp.revoke_token, Token=rt, ClientId=cid)
    assert code == "NotAuthorizedException"
    idp.revoke_token(Token=rt, ClientId=cid, ClientSecret=secret)


def test_get_tokens_from_refresh_token_and_rotation(idp, issuer, pool):
    sign_up_confirmed(idp, issuer, pool, "rory", "rory@example.com")
    res = password_auth(idp, pool, "rory")["AuthenticationResult"]
    # Without rotation: new ID and access tokens of the same sign-in only.
    got = idp.get_tokens_from_refresh_token(ClientId=pool["client_id"],
                                            RefreshToken=res["RefreshToken"])
    assert set(got["AuthenticationResult"]) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken"}
    assert claims(got["AuthenticationResult"]["IdToken"])["origin_jti"] == \
        claims(res["IdToken"])["origin_jti"]
    code, msg = error_of(idp.get_tokens_from_refresh_token, ClientId=pool["client_id"],
                         RefreshToken="not-a-token")
    assert (code, msg) == ("NotAuthorizedException", "Invalid Refresh Token.")

    # With rotation: a new refresh token each time; the old one is refused
    # once its (zero) grace period is over, and REFRESH_TOKEN_AUTH is refused.
    c = idp.create_user_pool_client(
        UserPoolId=pool["id"], ClientName="rotating", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )["UserPoolClient"]
    cid, secret = c["ClientId"], c["ClientSecret"]
    assert c["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    first = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "rory", "PASSWORD": PASSWORD,
        "SECRET_HASH": secret_hash(secret, "rory", cid)})["AuthenticationResult"]
    code, _ = error_of(idp.get_tokens_from_refresh_token, ClientId=cid,
                       RefreshToken=first["RefreshToken"])
    assert code == "NotAuthorizedException"
    rotated = idp.get_tokens_from_refresh_token(ClientId=cid, ClientSecret=secret,
                                                RefreshToken=first["RefreshToken"])
    new_rt = rotated["AuthenticationResult"]["RefreshToken"]
    assert new_rt != first["RefreshToken"]
    code, _ = error_of(idp.get_tokens_from_refresh_token, ClientId=cid, ClientSecret=secret,
                       RefreshToken=first["RefreshToken"])
    assert code == "RefreshTokenReuseException"
    with pytest.raises(idp.exceptions.RefreshTokenReuseException):
        idp.get_tokens_from_refresh_token(ClientId=cid, ClientSecret=secret,
                                          RefreshToken=first["RefreshToken"])
    code, msg = error_of(idp.initiate_auth, ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                         AuthParameters={"REFRESH_TOKEN": new_rt,
                                         "SECRET_HASH": secret_hash(secret, "rory", cid)})
    assert (code, msg) == ("InvalidParameterException",
                           "REFRESH_TOKEN_AUTH flow not enabled for this client")
    again = idp.get_tokens_from_refresh_token(ClientId=cid, ClientSecret=secret,
                                              RefreshToken=new_rt)
    assert again["AuthenticationResult"]["RefreshToken"] != new_rt


# --------------------------------------------------------------------------
# Every error name, as boto3 reports it


def test_error_names(idp, issuer, pool):
    pid, cid = pool["id"], pool["client_id"]
    sign_up_confirmed(idp, issuer, pool, "lena", "lena@example.com")

    code, msg = error_of(password_auth, idp=idp, pool=pool, username="lena", password="Wrong-Pass1!")
    assert (code, msg) == ("NotAuthorizedException", "Incorrect username or password.")

    code, msg = error_of(password_auth, idp=idp, pool=pool, username="nobody")
    assert (code, msg) == ("UserNotFoundException", "User does not exist.")

    assert error_of(idp.sign_up, ClientId=cid, Username="lena", Password=PASSWORD) == (
        "UsernameExistsException", "User already exists")
    assert error_of(idp.admin_create_user, UserPoolId=pid, Username="lena") == (
        "UsernameExistsException", "User account already exists")

    idp.sign_up(ClientId=cid, Username="mia", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "mia@example.com"}])
    real = issuer.latest_code(pid, "mia", "SIGN_UP")
    wrong = "000000" if real != "000000" else "111111"
    code, _ = error_of(idp.confirm_sign_up, ClientId=cid, Username="mia", ConfirmationCode=wrong)
    assert code == "CodeMismatchException"

    code, msg = error_of(password_auth, idp=idp, pool=pool, username="mia")
    assert (code, msg) == ("UserNotConfirmedException", "User is not confirmed.")

    code, msg = error_of(idp.sign_up, ClientId=cid, Username="weak", Password="password")
    assert code == "InvalidPasswordException" and msg.startswith("Password did not conform with policy")

    code, msg = error_of(idp.sign_up, ClientId=cid, Username="attr", Password=PASSWORD,
                         UserAttributes=[{"Name": "custom:unknown", "Value": "x"}])
    assert code == "InvalidParameterException"

    # LimitExceededException after five wrong codes, even for the right one.
    for _ in range(4):
        code, _ = error_of(idp.confirm_sign_up, ClientId=cid, Username="mia", ConfirmationCode=wrong)
        assert code == "CodeMismatchException"
    code, msg = error_of(idp.confirm_sign_up, ClientId=cid, Username="mia", ConfirmationCode=real)
    assert code == "LimitExceededException"
    # A new code does not reset the attempts (they are counted per user and
    # purpose for an hour); an administrator can still confirm.
    idp.resend_confirmation_code(ClientId=cid, Username="mia")
    code, _ = error_of(idp.confirm_sign_up, ClientId=cid, Username="mia",
                       ConfirmationCode=issuer.latest_code(pid, "mia", "RESEND_CODE"))
    assert code == "LimitExceededException"
    idp.admin_confirm_sign_up(UserPoolId=pid, Username="mia")
    code, _ = error_of(idp.resend_confirmation_code, ClientId=cid, Username="mia")
    assert code == "InvalidParameterException"

    # ExpiredCodeException: a code that was already used.
    code, msg = error_of(idp.verify_user_attribute,
                         AccessToken=password_auth(idp, pool, "mia")["AuthenticationResult"]["AccessToken"],
                         AttributeName="email", Code="123456")
    assert code == "ExpiredCodeException"

    idp.admin_reset_user_password(UserPoolId=pid, Username="lena")
    code, msg = error_of(password_auth, idp=idp, pool=pool, username="lena")
    assert code == "PasswordResetRequiredException"
    idp.confirm_forgot_password(ClientId=cid, Username="lena", Password=PASSWORD,
                                ConfirmationCode=issuer.latest_code(pid, "lena", "FORGOT_PASSWORD"))
    assert "AuthenticationResult" in password_auth(idp, pool, "lena")

    code, msg = error_of(idp.describe_user_pool, UserPoolId="us-east-1_doesNotEx")
    assert code == "ResourceNotFoundException"
    code, _ = error_of(idp.initiate_auth, ClientId="nosuchclient", AuthFlow="USER_PASSWORD_AUTH",
                       AuthParameters={"USERNAME": "x", "PASSWORD": "y"})
    assert code == "ResourceNotFoundException"

    # AliasExistsException: a second user verifying an email that is already
    # another user's verified alias.
    idp.admin_create_user(UserPoolId=pid, Username="nina", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "lena@example.com"}])
    code, msg = error_of(idp.admin_update_user_attributes, UserPoolId=pid, Username="nina",
                         UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    assert code == "AliasExistsException"

    # ExplicitAuthFlows are enforced.
    code, msg = error_of(idp.initiate_auth, ClientId=cid, AuthFlow="USER_SRP_AUTH",
                         AuthParameters={"USERNAME": "lena", "SRP_A": "1"})
    assert (code, msg) == ("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")


def test_too_many_requests(idp, issuer):
    throttled = issuer.pools["throttled"]
    cid = throttled["clients"][0]["client_id"]
    seen = []
    for _ in range(6):
        try:
            idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "ghost", "PASSWORD": "Whatever1!"})
        except botocore.exceptions.ClientError as e:
            seen.append(e.response["Error"]["Code"])
    assert "UserNotFoundException" in seen
    assert "TooManyRequestsException" in seen


def test_lockout_after_repeated_wrong_passwords(idp, issuer, pool):
    sign_up_confirmed(idp, issuer, pool, "olga", "olga@example.com")
    for _ in range(5):
        code, msg = error_of(password_auth, idp=idp, pool=pool, username="olga", password="Wrong-Pass1!")
        assert msg == "Incorrect username or password."
    code, msg = error_of(password_auth, idp=idp, pool=pool, username="olga")
    assert (code, msg) == ("NotAuthorizedException", "Password attempts exceeded")
    time.sleep(1.2)
    assert "AuthenticationResult" in password_auth(idp, pool, "olga")


def test_prevent_user_existence_errors(idp, issuer, pool):
    c = idp.create_user_pool_client(
        UserPoolId=pool["id"], ClientName="private", PreventUserExistenceErrors="ENABLED",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cid = c["ClientId"]
    sign_up_confirmed(idp, issuer, pool, "paul", "paul@example.com")
    unknown = error_of(idp.initiate_auth, ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                       AuthParameters={"USERNAME": "ghost", "PASSWORD": PASSWORD})
    wrong = error_of(idp.initiate_auth, ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                     AuthParameters={"USERNAME": "paul", "PASSWORD": "Wrong-Pass1!"})
    assert unknown == wrong == ("NotAuthorizedException", "Incorrect username or password.")
    r = idp.forgot_password(ClientId=cid, Username="ghost")
    assert r["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code, _ = error_of(idp.confirm_forgot_password, ClientId=cid, Username="ghost",
                       ConfirmationCode="123456", Password=PASSWORD)
    assert code == "CodeMismatchException"
    r = idp.resend_confirmation_code(ClientId=cid, Username="ghost")
    assert "CodeDeliveryDetails" in r
    # The LEGACY client of the same pool does reveal it.
    code, _ = error_of(idp.forgot_password, ClientId=pool["client_id"], Username="ghost")
    assert code == "UserNotFoundException"


def test_username_attributes_pool(idp, issuer):
    p = idp.create_user_pool(PoolName="email-as-username", UsernameAttributes=["email"],
                             AutoVerifiedAttributes=["email"])["UserPool"]
    cid = idp.create_user_pool_client(UserPoolId=p["Id"], ClientName="c",
                                      ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                         "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    r = idp.sign_up(ClientId=cid, Username="quinn@example.com", Password=PASSWORD)
    code, msg = error_of(idp.sign_up, ClientId=cid, Username="quinn@example.com", Password=PASSWORD)
    assert code == "UsernameExistsException"
    code, _ = error_of(idp.sign_up, ClientId=cid, Username="not-an-email", Password=PASSWORD)
    assert code == "InvalidParameterException"
    idp.confirm_sign_up(ClientId=cid, Username="quinn@example.com",
                        ConfirmationCode=issuer.latest_code(p["Id"], "quinn@example.com", "SIGN_UP"))
    res = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "quinn@example.com", "PASSWORD": PASSWORD})
    idc = claims(res["AuthenticationResult"]["IdToken"])
    assert idc["cognito:username"] == r["UserSub"] == idc["sub"]
    assert idc["email"] == "quinn@example.com" and idc["email_verified"] is True
    idp.delete_user_pool(UserPoolId=p["Id"])


def test_aws_style_pool_tokens(idp, issuer):
    aws = issuer.pools["aws-style"]
    cid = aws["clients"][0]["client_id"]
    idp.admin_create_user(UserPoolId=aws["pool_id"], Username="rita", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=aws["pool_id"], Username="rita", Password=PASSWORD,
                                Permanent=True)
    res = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "rita", "PASSWORD": PASSWORD})
    for t in (res["AuthenticationResult"]["IdToken"], res["AuthenticationResult"]["AccessToken"]):
        assert claims(t)["iss"] == aws["issuer"]
    # The issuer's own user operations accept its aws-style access tokens.
    assert idp.get_user(AccessToken=res["AuthenticationResult"]["AccessToken"])["Username"] == "rita"


# --------------------------------------------------------------------------
# The wire itself


def test_wire_error_shape_and_bad_requests(issuer):
    status, headers, body = issuer.raw("AWSCognitoIdentityProviderService.DescribeUserPool",
                                       b'{"UserPoolId": "us-east-1_missing1"}')
    assert status == 400
    assert body["__type"] == "ResourceNotFoundException" and "message" in body
    assert headers["x-amzn-errortype"] == "ResourceNotFoundException"
    assert headers["content-type"] == "application/x-amz-json-1.1"

    status, headers, body = issuer.raw("AWSCognitoIdentityProviderService.NoSuchOperation", b"{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"
    status, _, body = issuer.raw(None, b"{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"
    status, _, body = issuer.raw("AWSCognitoIdentityProviderService.SignUp", b"{not json")
    assert status == 400 and body["__type"] == "SerializationException"
    status, _, body = issuer.raw("AWSCognitoIdentityProviderService.SignUp", b"[1,2]")
    assert status == 400 and body["__type"] == "SerializationException"
    status, _, body = issuer.raw("AWSCognitoIdentityProviderService.SignUp", b'{"ClientId": 5}')
    assert status == 400 and body["__type"] == "InvalidParameterException"
    status, _, body = issuer.raw("AWSCognitoIdentityProviderService.InitiateAuth",
                                 b'{"ClientId": "x", "AuthFlow": "NOPE"}')
    assert status == 400


def test_passwords_never_reach_the_log(issuer):
    """Runs last: every password used above must be absent from the debug log."""
    log = issuer.log()
    assert "outbox message" in log and "InitiateAuth" in log
    for secret in (PASSWORD, "Temp-Pass1!", "N3w-Password!", "Chang3d-Pass!", "An0ther-Pass!",
                   "Temp0rary-Pass!", "Wrong-Pass1!"):
        assert secret not in log


# --------------------------------------------------------------------------
# Choice-based sign-in (USER_AUTH) and SELECT_MFA_TYPE


def choice_pool(idp, factors):
    p = idp.create_user_pool(
        PoolName=f"choice-{time.time_ns()}", AliasAttributes=["email"],
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}},
    )["UserPool"]
    c = idp.create_user_pool_client(
        UserPoolId=p["Id"], ClientName="spa", PreventUserExistenceErrors="ENABLED",
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return p, c["ClientId"]


def test_user_auth_email_otp_from_the_outbox(idp, issuer):
    p, cid = choice_pool(idp, ["PASSWORD", "EMAIL_OTP"])
    assert p["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    idp.admin_create_user(
        UserPoolId=p["Id"], Username="otto", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "otto@example.com"},
                        {"Name": "email_verified", "Value": "true"}],
    )
    idp.admin_set_user_password(UserPoolId=p["Id"], Username="otto", Password=PASSWORD, Permanent=True)
    r = idp.initiate_auth(ClientId=cid, AuthFlow="USER_AUTH",
                          AuthParameters={"USERNAME": "otto", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    assert r["ChallengeName"] == "EMAIL_OTP"
    assert r["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert r["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "o***@e***"
    code = issuer.latest_code(p["Id"], "otto", "MFA_CODE")
    bad, msg = error_of(idp.respond_to_auth_challenge, ClientId=cid, ChallengeName="EMAIL_OTP",
                        Session=r["Session"],
                        ChallengeResponses={"USERNAME": "otto",
                                            "EMAIL_OTP_CODE": "000000" if code != "000000" else "111111"})
    assert bad == "CodeMismatchException"
    done = idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="EMAIL_OTP", Session=r["Session"],
                                         ChallengeResponses={"USERNAME": "otto", "EMAIL_OTP_CODE": code})
    assert claims(done["AuthenticationResult"]["IdToken"])["cognito:username"] == "otto"
    # Without a preference: the choice, then a password answer.
    r = idp.initiate_auth(ClientId=cid, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "otto"})
    assert r["ChallengeName"] == "SELECT_CHALLENGE"
    assert r["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    done = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="SELECT_CHALLENGE", Session=r["Session"],
        ChallengeResponses={"USERNAME": "otto", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD},
    )
    assert done["AuthenticationResult"]["AccessToken"]
    # Unknown names get the same shape (no message sent).
    r = idp.initiate_auth(ClientId=cid, AuthFlow="USER_AUTH",
                          AuthParameters={"USERNAME": "nobody@example.com", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    assert r["ChallengeName"] == "EMAIL_OTP"
    assert issuer.outbox(p["Id"], "nobody@example.com") == []
    idp.delete_user_pool(UserPoolId=p["Id"])


def test_user_auth_needs_the_client_flow_and_a_valid_policy(idp, issuer, pool):
    code, msg = error_of(idp.initiate_auth, ClientId=pool["client_id"], AuthFlow="USER_AUTH",
                         AuthParameters={"USERNAME": "anyone"})
    assert (code, msg) == ("InvalidParameterException", "USER_AUTH flow not enabled for this client")
    code, msg = error_of(idp.create_user_pool, PoolName="no-password",
                         Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}})
    assert code == "InvalidParameterException"
    code, msg = error_of(idp.create_user_pool, PoolName="otp-with-mfa", MfaConfiguration="ON",
                         Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}})
    assert code == "InvalidParameterException"
    assert msg.startswith("Only PASSWORD and WEB_AUTHN")


def test_select_mfa_type(idp, issuer):
    p, cid = choice_pool(idp, ["PASSWORD"])
    idp.set_user_pool_mfa_config(
        UserPoolId=p["Id"], MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Your code is {####}"},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Code"},
    )
    idp.admin_create_user(
        UserPoolId=p["Id"], Username="sela", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "sela@example.com"},
                        {"Name": "email_verified", "Value": "true"},
                        {"Name": "phone_number", "Value": "+15555550123"}],
    )
    idp.admin_set_user_password(UserPoolId=p["Id"], Username="sela", Password=PASSWORD, Permanent=True)
    idp.admin_set_user_mfa_preference(UserPoolId=p["Id"], Username="sela",
                                      SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
                                      EmailMfaSettings={"Enabled": True, "PreferredMfa": False})
    r = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "sela", "PASSWORD": PASSWORD})
    assert r["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(r["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "EMAIL_OTP"]
    r = idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="SELECT_MFA_TYPE", Session=r["Session"],
                                      ChallengeResponses={"USERNAME": "sela", "ANSWER": "SMS_MFA"})
    assert r["ChallengeName"] == "SMS_MFA"
    code = issuer.latest_code(p["Id"], "sela", "MFA_CODE")
    done = idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="SMS_MFA", Session=r["Session"],
                                         ChallengeResponses={"USERNAME": "sela", "SMS_MFA_CODE": code})
    assert done["AuthenticationResult"]["IdToken"]
    idp.delete_user_pool(UserPoolId=p["Id"])


def test_update_user_pool_and_domains(idp, issuer):
    p = idp.create_user_pool(PoolName="updated", AutoVerifiedAttributes=["email"],
                             UserPoolTags={"team": "auth"})["UserPool"]
    cid = idp.create_user_pool_client(UserPoolId=p["Id"], ClientName="c",
                                      ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                         "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    code, _ = error_of(idp.sign_up, ClientId=cid, Username="ulla", Password="password")
    assert code == "InvalidPasswordException"
    r = idp.update_user_pool(UserPoolId=p["Id"], Policies={"PasswordPolicy": {
        "MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": False,
        "RequireNumbers": False, "RequireSymbols": False}},
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True})
    assert {k: v for k, v in r.items() if k != "ResponseMetadata"} == {}
    idp.sign_up(ClientId=cid, Username="ulla", Password="password")
    d = idp.describe_user_pool(UserPoolId=p["Id"])["UserPool"]
    assert d["Policies"]["PasswordPolicy"]["MinimumLength"] == 6
    assert d["DeviceConfiguration"] == {"ChallengeRequiredOnNewDevice": True}
    # Left out: reset to defaults.
    assert d["AutoVerifiedAttributes"] == [] and "UserPoolTags" not in d
    assert d["Id"] == p["Id"] and d["CreationDate"] == p["CreationDate"]
    code, msg = error_of(idp.update_user_pool, UserPoolId=p["Id"], AutoVerifiedAttributes=["address"])
    assert (code, msg) == ("InvalidParameterException", "Invalid auto-verified attribute address")
    code, _ = error_of(idp.update_user_pool, UserPoolId="us-east-1_NoSuchPool")
    assert code == "ResourceNotFoundException"

    assert "CloudFrontDomain" not in idp.create_user_pool_domain(Domain="boto-app", UserPoolId=p["Id"])
    desc = idp.describe_user_pool_domain(Domain="boto-app")["DomainDescription"]
    assert desc["UserPoolId"] == p["Id"] and desc["Status"] == "ACTIVE"
    assert idp.describe_user_pool(UserPoolId=p["Id"])["UserPool"]["Domain"] == "boto-app"
    code, msg = error_of(idp.create_user_pool_domain, Domain="boto-app", UserPoolId=p["Id"])
    assert code == "InvalidParameterException"
    code, msg = error_of(idp.create_user_pool_domain, Domain="my-aws-app", UserPoolId=p["Id"])
    assert (code, msg) == ("InvalidParameterException", "Domain cannot contain reserved word: aws")
    idp.delete_user_pool_domain(Domain="boto-app", UserPoolId=p["Id"])
    assert idp.describe_user_pool_domain(Domain="boto-app")["DomainDescription"] == {}
    idp.delete_user_pool(UserPoolId=p["Id"])
