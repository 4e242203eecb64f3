import assert from 'node:assert/strict'

import {childAt, parseXml, XmlSyntaxError} from '../../../src/core/aws/xml.js'

describe('xml: reading what STS answers', () => {
  it('reads an STS answer: declaration, namespace, nested elements, their text', () => {
    const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/alice</Arn>
    <UserId>AIDAEXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>
`)
    assert.equal(root.name, 'GetCallerIdentityResponse')
    assert.equal(childAt(root, 'GetCallerIdentityResult', 'Account')?.text, '123456789012')
    assert.equal(childAt(root, 'ResponseMetadata', 'RequestId')?.text, '01234567-89ab')
    assert.equal(childAt(root, 'GetCallerIdentityResult', 'Nope'), undefined)
  })

  it('decodes the five entities and numeric references; keeps CDATA raw; skips comments; drops prefixes', () => {
    const root = parseXml("\uFEFF<!-- hi --><sts:E a='1' b=\"&amp;\"><M>&amp;&lt;&gt;&quot;&apos;&#38;&#x263A;<![CDATA[<&amp;>]]><!-- x -->z</M><Empty/></sts:E>")
    assert.equal(root.name, 'E')
    assert.equal(childAt(root, 'M')?.text, '&<>"\'&☺<&amp;>z')
    assert.equal(childAt(root, 'Empty')?.text, '')
  })

  it('refuses what is not well-formed, saying where but not what', () => {
    const cases = [
      '',
      '   ',
      'text',
      '<a>',
      '<a></b>',
      '<a><b></a></b>',
      '<a>x</a><b/>',
      '<a>&bogus;</a>',
      '<a>& b</a>',
      '<a>&#0;</a>',
      '<a>&#xD800;</a>',
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      '<a b="1" b="2"/>',
      '<a b=1/>',
      '<GetSessionTokenResponse><oops',
      '<a><!-- x </a>',
      '<a>]]></a>',
      '<a x="<"/>',
    ]
    for (const text of cases) assert.throws(() => parseXml(text), XmlSyntaxError, JSON.stringify(text))
    assert.throws(() => parseXml('<a><SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey>'), (error: Error) => !error.message.includes('wJalr'))
  })
})
