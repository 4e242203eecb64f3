"""botocore as the reference reader of what mfa-creds writes.

  botocore_reader.py view FILE...        -> JSON list: raw_config_parse(FILE) or {"error": ..., "line": N}
  botocore_reader.py creds FILE PROFILE  -> JSON: the credentials botocore's provider chain loads for PROFILE
"""
import json
import re
import sys

import botocore.configloader
import botocore.exceptions
import botocore.session


def view(path):
    try:
        return {"view": botocore.configloader.raw_config_parse(path)}
    except botocore.exceptions.ConfigParseError as e:
        m = re.search(r"line:? (\d+)", str(e)) or re.search(r"\[line +(\d+)\]", str(e))
        return {"error": str(e), "line": int(m.group(1)) if m else None}


def creds(path, profile):
    import os
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = path
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    session = botocore.session.Session(profile=profile)
    c = session.get_credentials()
    if c is None:
        return None
    f = c.get_frozen_credentials()
    return {"access_key": f.access_key, "secret_key": f.secret_key, "token": f.token, "method": c.method}


if __name__ == "__main__":
    if sys.argv[1] == "view":
        print(json.dumps([view(p) for p in sys.argv[2:]]))
    elif sys.argv[1] == "creds":
        print(json.dumps(creds(sys.argv[2], sys.argv[3])))
