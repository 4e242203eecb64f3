"""Makes an IAM user with virtual MFA devices in moto; prints its long-term keys as JSON.

usage: moto_iam.py URL USER [DEVICE ...]
"""
import json
import sys

import boto3

url, user, devices = sys.argv[1], sys.argv[2], sys.argv[3:]
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id="AKIAADMINADMINADMIN0", aws_secret_access_key="admin")
iam.create_user(UserName=user, Path="/staff/")
key = iam.create_access_key(UserName=user)["AccessKey"]
for name in devices:
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                          AuthenticationCode1="123456", AuthenticationCode2="654321")
print(json.dumps({"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}))
