"""An editor run under `mfa-creds lock -- python3 lock_editor.py FILE NAME`: it takes no lock of its
own, and rewrites the file in place, as `aws configure` does, appending [NAME]."""
import sys

path, name = sys.argv[1], sys.argv[2]
with open(path) as f:
    text = f.read()
if text and not text.endswith("\n"):
    text += "\n"
with open(path, "w") as f:
    f.write(text + "\n[%s]\naws_access_key_id = AKIAEDITOR\nregion = eu-west-1\n" % name)
