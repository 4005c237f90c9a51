"""Pre authentication (Python): misbehaves on purpose for some users."""
import time


def check(event, context):
    name = event["userName"]
    if name == "thrower":
        raise Exception("Blocked")
    if name == "garbage":
        return "garbage"
    if name == "sleeper":
        time.sleep(6)  # past AWS's 5 s limit
    return event
