"""Recomputes a request's SigV4 signature with botocore (an implementation independent of the
one under test): reads {method, url, headers, body, signedHeaders, accessKeyId, secretAccessKey,
sessionToken, region, service} as JSON on stdin, prints {signature, signedHeaders, scope}."""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

d = json.load(sys.stdin)
headers = {name: d['headers'][name] for name in d['signedHeaders']}
request = AWSRequest(method=d['method'], url=d['url'], data=d['body'].encode('utf-8'), headers=headers)
# The signer's own date, so that botocore signs the very string the request was signed over.
request.context['timestamp'] = headers['x-amz-date']
auth = SigV4Auth(Credentials(d['accessKeyId'], d['secretAccessKey'], d.get('sessionToken')), d['service'], d['region'])
canonical = auth.canonical_request(request)
signature = auth.signature(auth.string_to_sign(request, canonical), request)
print(json.dumps({
    'scope': auth.credential_scope(request),
    'signature': signature,
    'signedHeaders': auth.signed_headers(auth.headers_to_sign(request)),
}))
