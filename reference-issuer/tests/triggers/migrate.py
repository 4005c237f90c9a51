"""User migration (Python): users from a legacy store (a JSON file)."""
import json
import os

with open(os.environ["LEGACY_STORE"], encoding="utf-8") as f:
    LEGACY = json.load(f)


def lambda_handler(event, context):
    user = LEGACY.get(event["userName"])
    if user is None:
        raise Exception("User does not exist")
    if event["triggerSource"] == "UserMigration_Authentication":
        if event["request"]["password"] != user["password"]:
            raise Exception("Bad password")
        event["response"]["finalUserStatus"] = "CONFIRMED"
    else:
        event["response"]["finalUserStatus"] = "RESET_REQUIRED"
    event["response"]["userAttributes"] = {
        "email": user["email"],
        "email_verified": "true",
    }
    event["response"]["messageAction"] = "SUPPRESS"
    print("migrated", event["userName"])
    return event
