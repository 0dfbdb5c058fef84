"""Generates positives.tsv and negatives.tsv: realistic Dutch and international
page text, with valid check digits (Luhn, mod-97, elfproef) computed here so
every positive is a real instance of its rule and every near-miss negative
really fails its check. Deterministic (fixed seed); run from anywhere:
    python3 crates/masking/tests/corpus/generate.py
The TSVs are committed; the Rust test reads only them."""
import os
HERE = os.path.dirname(os.path.abspath(__file__))
import random
random.seed(20261124)

def luhn_check_digit(partial):
    digits = [int(d) for d in partial]
    # compute check digit so that full number passes
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9: d -= 9
        total += d
    return str((10 - total % 10) % 10)

def luhn_ok(num):
    total = 0
    for i, d in enumerate(reversed([int(c) for c in num])):
        if i % 2 == 1:
            d *= 2
            if d > 9: d -= 9
        total += d
    return total % 10 == 0

def card(prefix, length):
    body = prefix + ''.join(random.choice('0123456789') for _ in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body)

def group(num, sizes, sep=' '):
    out, i = [], 0
    for s in sizes:
        out.append(num[i:i+s]); i += s
    if i < len(num): out.append(num[i:])
    return sep.join(out)

def mod97(s):
    r = 0
    for c in s:
        r = (r * 10 + int(c)) % 97 if c.isdigit() else (r * 100 + ord(c) - 55) % 97
    return r

def iban(cc, bban):
    check = 98 - mod97(bban + cc + '00')
    return f"{cc}{check:02d}{bban}"

def bban_for(cc, length):
    n = length - 4
    fmt = {
        'NL': lambda: random.choice(['ABNA','RABO','INGB','SNSB','TRIO','BUNQ','ASNB','KNAB']) + rnd(10),
        'DE': lambda: rnd(18), 'BE': lambda: rnd(12), 'FR': lambda: rnd(10) + rnd_alnum(11) + rnd(2),
        'GB': lambda: random.choice(['NWBK','BARC','HBUK','LOYD']) + rnd(14), 'ES': lambda: rnd(20),
        'IT': lambda: random.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ') + rnd(10) + rnd_alnum(12),
        'AT': lambda: rnd(16), 'CH': lambda: rnd(5) + rnd_alnum(12), 'LU': lambda: rnd(3) + rnd_alnum(13),
        'IE': lambda: random.choice(['AIBK','BOFI']) + rnd(14), 'PT': lambda: rnd(21), 'PL': lambda: rnd(24),
        'SE': lambda: rnd(20), 'DK': lambda: rnd(14), 'FI': lambda: rnd(14), 'NO': lambda: rnd(11),
        'CZ': lambda: rnd(20), 'SK': lambda: rnd(20), 'HU': lambda: rnd(24), 'GR': lambda: rnd(7) + rnd_alnum(16),
        'MT': lambda: 'MALT' + rnd(5) + rnd_alnum(18), 'SI': lambda: rnd(15), 'HR': lambda: rnd(17),
        'EE': lambda: rnd(16), 'LT': lambda: rnd(16), 'LV': lambda: 'HABA' + rnd_alnum(13), 'CY': lambda: rnd(8) + rnd_alnum(16),
        'BG': lambda: 'BNBG' + rnd(6) + rnd_alnum(8), 'RO': lambda: 'AAAA' + rnd_alnum(16), 'IS': lambda: rnd(22),
        'LI': lambda: rnd(5) + rnd_alnum(12), 'MC': lambda: rnd(10) + rnd_alnum(11) + rnd(2), 'SM': lambda: 'U' + rnd(10) + rnd_alnum(12),
        'AD': lambda: rnd(8) + rnd_alnum(12), 'VA': lambda: rnd(18), 'GI': lambda: 'NWBK' + rnd_alnum(15),
    }
    return fmt[cc]()

def rnd(n): return ''.join(random.choice('0123456789') for _ in range(n))
def rnd_alnum(n): return ''.join(random.choice('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') for _ in range(n))

LENGTHS = {'AD':24,'AT':20,'BE':16,'BG':22,'CH':21,'CY':28,'CZ':24,'DE':22,'DK':18,'EE':20,'ES':24,'FI':18,'FR':27,'GB':22,'GI':23,'GR':27,'HR':21,'HU':28,'IE':22,'IS':26,'IT':27,'LI':21,'LT':20,'LU':20,'LV':21,'MC':27,'MT':31,'NL':18,'NO':15,'PL':28,'PT':25,'RO':24,'SE':24,'SI':19,'SK':24,'SM':27,'VA':22}

def spaced(s): return ' '.join(s[i:i+4] for i in range(0, len(s), 4))

def elf(d):
    return sum(int(x) * w for x, w in zip(d, [9,8,7,6,5,4,3,2,-1])) % 11 == 0 and d != '000000000'

def bsn():
    while True:
        d = rnd(9)
        if elf(d) and d[0] != '0': return d

def not_bsn():
    while True:
        d = str(random.randint(100000000, 999999999))
        if not elf(d): return d

pos = []
def P(rule, text): pos.append((rule, text))

# ---------------- email ----------------
emails = ['jane@example.com','j.de.vries@ziggo.nl','pieter.jansen+shop@gmail.com','info@bakkerij-van-dijk.nl',
 'sanne_bos@outlook.com','m.el-amrani@kpnmail.nl','jürgen.müller@web.de','o.brien@eircom.net','noreply-2026@mail.shop.example',
 'a@b.co','klantenservice@bol.com','Daan.Visser@hotmail.nl','lisa.m.smit@icloud.com','w.de_jong@planet.nl',
 'chloé.dupont@orange.fr','ana.garcia@telefonica.es','t.nguyen@student.uva.nl','user123@yahoo.co.uk','FEMKE@KPNPLANET.NL',
 'jan.peeters@telenet.be','marco.rossi@libero.it','s.kowalski@wp.pl','e.andersson@telia.se','support@veil.example']
tmpl_e = ['Bevestiging verstuurd naar [[{}]]','Contact: [[{}]]','mailto:[[{}]]','Ingelogd als [[{}]] (uitloggen)',
 'Send the invoice to [[{}]] please','"email":"[[{}]]"','<[[{}]]>','Vragen? Mail [[{}]].','Welkom terug, [[{}]]!',
 'Reply-To: [[{}]]','CC: [[{}]], BCC: niemand']
for i, e in enumerate(emails):
    P('email', tmpl_e[i % len(tmpl_e)].format(e))
for e in ['jane%40example.com','p.jansen%40ziggo.nl','info%40shop.example']:
    P('email', f'/account/lookup/[[{e}]]/orders')
P('email', 'Uw gegevens: [[k.de.boer@gmail.com]] en [[k.deboer@werk.nl]]')
P('email', 'e-mailadres: [[martijn.van.der.berg@rijksoverheid.nl]]')
P('email', 'Sent from [[priya.sharma@infosys.co.in]] at 10:42')
P('email', 'Team [[hr-team@company-name.example.org]] replies within 2 days')
for e in ['noah.smit@gmail.com', 'emma.de.wit@live.nl', 'l.meijer@xs4all.nl', 'y.yilmaz@hotmail.com', 'f.bakker@casema.nl',
          'r.hendriks@home.nl', 'j.vos@quicknet.nl', 'b.mulder@upcmail.nl']:
    P('email', f'Gebruiker [[{e}]] heeft 3 artikelen in de winkelwagen')

# ---------------- phone ----------------
nl_phones = ['06-12345678','06 1234 5678','06 12 34 56 78','0612345678','(020) 123 4567','020-1234567','020 123 4567',
 '010-4123456','(010) 412 34 56','030 234 5678','070-3456789','0229-123456','0591-123456','085 208 1234','06-87654321',
 '+31 6 1234 5678','+31 (0)6 1234 5678','+31(0)6-12345678','+31 20 123 4567','+31612345678','0031 6 12345678',
 '0031 20 1234567','+31 (0)20 123 45 67','+31-6-12345678','+31 10 412 3456']
tmpl_p = ['Bel ons op [[{}]]','Telefoon: [[{}]]','Mobiel [[{}]] (na 18:00)','Bereikbaar via [[{}]] of e-mail',
 'tel:[[{}]]','Uw nummer: [[{}]]','Spoed? [[{}]]','Vragen? Bel [[{}]], ma-vr 9-17 uur']
for i, p in enumerate(nl_phones):
    P('phone', tmpl_p[i % len(tmpl_p)].format(p))
intl = ['+1 415 555 0132','+1 (415) 555-0132','+1-212-555-0199','+1.646.555.0175','+44 20 7946 0958','+44 (0)20 7946 0958',
 '+44 7700 900123','+49 30 12345678','+49 (0)89 1234567','+49 151 23456789','+32 2 123 45 67','+32 470 12 34 56','+33 1 23 45 67 89',
 '+33 6 12 34 56 78','+34 612 345 678','+39 06 1234 5678','+41 44 668 18 00','+43 1 234 5678','+45 32 12 34 56','+46 8 123 456 78',
 '+47 22 12 34 56','+48 22 123 45 67','+351 912 345 678','+353 87 123 4567','+358 40 1234567','+36 1 234 5678','+420 601 123 456',
 '+30 21 0123 4567','+7 495 123-45-67','+81 90-1234-5678','+86 138 0013 8000','+91 98765 43210','+61 4 1234 5678','+27 82 123 4567',
 '+90 532 123 45 67','+55 11 91234-5678','+52 55 1234 5678','+65 6123 4567','00 44 20 7946 0958','0049 30 12345678']
tmpl_i = ['Call us at [[{}]]','Phone: [[{}]]','WhatsApp [[{}]]','Contact [[{}]] for support','tel:[[{}]]','Our hotline [[{}]] is open 24/7']
for i, p in enumerate(intl):
    P('phone', tmpl_i[i % len(tmpl_i)].format(p.replace('00 44', '0044') if p.startswith('00 44') else p))

# ---------------- card ----------------
cards = []
for prefix, length in [('4',16)]*8 + [('51',16),('52',16),('53',16),('54',16),('55',16),('2221',16),('2720',16),('2300',16)] + \
        [('34',15),('37',15),('37',15),('6011',16),('65',16),('644',16),('3528',16),('3589',16),('36',14),('300',14),('62',16),('62',19),('4',19),('5018',16),('6759',19),('2200',16)]:
    cards.append(card(prefix, length))
tmpl_c = ['Kaartnummer: [[{}]]','Card [[{}]] exp 12/28','Betaald met [[{}]]','cc=[[{}]]','Creditcard [[{}]] is geweigerd',
 'Your card ending in … no, the whole thing: [[{}]]','"pan": "[[{}]]"','[[{}]]']
for i, c in enumerate(cards):
    if len(c) == 16:
        style = i % 4
        if style == 0: txt = group(c, [4,4,4,4])
        elif style == 1: txt = group(c, [4,4,4,4], '-')
        elif style == 2: txt = c
        else: txt = group(c, [4,4,4,4]).replace(' ', '  ', 0)
    elif len(c) == 15: txt = group(c, [4,6,5]) if i % 2 else group(c, [4,6,5], '-')
    elif len(c) == 14: txt = group(c, [4,6,4])
    else: txt = group(c, [4,4,4,4,3]) if i % 2 else c
    P('card', tmpl_c[i % len(tmpl_c)].format(txt))
# well-known test numbers
for c in ['4111 1111 1111 1111','4242424242424242','5555 5555 5555 4444','3782 822463 10005','6011 1111 1111 1117','4222222222222',
          '5105-1051-0510-5100','3530 1113 3330 0000','4000 0566 5566 5556']:
    assert luhn_ok(c.replace(' ','').replace('-','')), c
    P('card', f'Testkaart [[{c}]] gebruikt')
P('card', 'Bestelling 2026 [[4111 1111 1111 1111]] afgewezen')
P('card', '411111111111 1111'.join(['Kaart: [[', ']]']))

# ---------------- iban ----------------
countries = list(LENGTHS)
ibans = []
for cc in countries:
    b = bban_for(cc, LENGTHS[cc])
    assert len(b) == LENGTHS[cc] - 4, (cc, len(b))
    ibans.append(iban(cc, b))
ibans += [iban('NL', bban_for('NL', 18)) for _ in range(6)]
ibans += ['NL91ABNA0417164300','DE89370400440532013000','BE68539007547034','GB29NWBK60161331926819','FR1420041010050500013M02606']
tmpl_b = ['IBAN: [[{}]]','Rekeningnummer [[{}]] t.n.v. J. de Vries','Betaal naar [[{}]] o.v.v. factuur','"iban":"[[{}]]"',
 'Account [[{}]] (EUR)','Overgemaakt van [[{}]]']
for i, b in enumerate(ibans):
    txt = spaced(b) if i % 3 == 0 else (b.lower() if i % 7 == 1 else b)
    P('iban', tmpl_b[i % len(tmpl_b)].format(txt))

# ---------------- bsn ----------------
tmpl_s = ['BSN: [[{}]]','Burgerservicenummer [[{}]]','Uw BSN is [[{}]].','sofinummer [[{}]]','[[{}]]','Patiënt [[{}]] opgenomen',
 'BSN-nummer: [[{}]]','identificatie: [[{}]]']
for i in range(28):
    d = bsn()
    txt = d if i % 5 else f'{d[:4]}.{d[4:6]}.{d[6:]}'
    P('bsn', tmpl_s[i % len(tmpl_s)].format(txt))
P('bsn', 'BSN [[1234 56 782]]' if elf('123456782') else 'BSN [[111222333]]')

# ---------------- ip ----------------
v4 = ['192.168.1.1','10.0.0.254','172.16.31.7','8.8.8.8','145.97.39.155','213.127.66.1','77.161.12.200','0.0.0.0','255.255.255.255','84.241.201.13',
      '62.45.120.3','31.201.44.9','185.107.56.230','203.0.113.42','198.51.100.7']
tmpl_v = ['Client IP: [[{}]]','Verbonden vanaf [[{}]]','x-forwarded-for: [[{}]], proxy','ip=[[{}]]','Login from [[{}]] at 10:42']
for i, a in enumerate(v4):
    P('ip', tmpl_v[i % len(tmpl_v)].format(a))
P('ip', 'Server [[10.1.2.3]]:8080 antwoordt niet')
P('ip', 'Subnet [[192.168.0.0]]/24')
v6 = ['2001:db8::1','2001:0db8:85a3:0000:0000:8a2e:0370:7334','fe80::1ff:fe23:4567:890a','2a02:a44c:3c1d:1:2d4b:19af:7be3:11c2',
      '::ffff:192.0.2.128','2001:db8:0:0:1::1','2a00:1450:4001:82a::200e','fd12:3456:789a:1::1','2001:DB8:AC10:FE01::','2a01:7c8:aac0:1b5::1',
      '2001:db8:3333:4444:5555:6666:7777:8888','2606:4700:4700::1111']
tmpl_6 = ['IPv6: [[{}]]','Verbonden via [[{}]]','addr=[[{}]]','Remote address [[{}]] blocked','[[[{}]]]:443']
for i, a in enumerate(v6):
    P('ip', tmpl_6[i % len(tmpl_6)].format(a))

# ---------------- jwt ----------------
import base64, json
def b64u(b): return base64.urlsafe_b64encode(b).decode().rstrip('=')
def jwt(payload, alg='HS256'):
    h = b64u(json.dumps({'alg': alg, 'typ': 'JWT'}, separators=(',',':')).encode())
    p = b64u(json.dumps(payload, separators=(',',':')).encode())
    s = b64u(bytes(random.getrandbits(8) for _ in range(32 if alg.startswith('HS') else 64)))
    return f'{h}.{p}.{s}'
jwts = [jwt({'sub': str(random.randint(1000,99999)), 'name': n, 'iat': 1795514400}, alg) for n, alg in
        [('Jan', 'HS256'), ('Sanne', 'RS256'), ('Priya', 'ES256'), ('Lars', 'HS512'), ('Emma', 'RS256'), ('Noah', 'HS256')]]
jwts.append('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c')
jwts.append(b64u(b'{"alg":"none"}') + '.' + b64u(b'{"sub":"42"}') + '.')
tmpl_j = ['Authorization: Bearer [[{}]]','token=[[{}]]','"id_token":"[[{}]]"','localStorage jwt [[{}]]','Cookie: session=[[{}]]; path=/']
for i, t in enumerate(jwts):
    P('jwt', tmpl_j[i % len(tmpl_j)].format(t))
P('jwt', 'Token in tekst [[{}]].'.format(jwts[0]))

# ---------------- secret ----------------
def r62(n): return ''.join(random.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') for _ in range(n))
def rhex(n): return ''.join(random.choice('0123456789abcdef') for _ in range(n))
secrets = ['sk_live_' + r62(24), 'sk_test_' + r62(24), 'rk_live_' + r62(30), 'ghp_' + r62(36), 'gho_' + r62(36), 'github_pat_' + r62(22) + '_' + r62(59),
           'AKIA' + ''.join(random.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') for _ in range(16)), 'ASIA' + ''.join(random.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') for _ in range(16)),
           'xoxb-' + rnd(12) + '-' + rnd(13) + '-' + r62(24), 'xoxp-' + rnd(11) + '-' + rnd(12) + '-' + r62(32), 'glpat-' + r62(20),
           'AIza' + r62(35), 'npm_' + r62(36), 'SG.' + r62(22) + '.' + r62(43), 'shpat_' + rhex(32), 'whsec_' + r62(32)]
tmpl_k = ['STRIPE_KEY=[[{}]]','key: [[{}]]','Gebruik [[{}]] voor de API','"apiKey": "[[{}]]"','export TOKEN=[[{}]]']
for i, k in enumerate(secrets):
    P('secret', tmpl_k[i % len(tmpl_k)].format(k))
for i in range(6):
    P('secret', 'Authorization: Bearer [[{}]]'.format(r62(40)))
P('secret', 'Authorization: Basic [[dXNlcm5hbWU6cGFzc3dvcmQxMjM=]]')
P('secret', 'token [[a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6]] expired')
for i in range(5):
    P('secret', 'X-Api-Key: [[{}]]'.format(r62(40)))
for i in range(4):
    P('secret', 'session [[{}]] verlopen'.format(rhex(40)))
P('secret', 'reset link /r/[[{}]]/confirm'.format(r62(32)))

# ---------------- personal_query ----------------
qs = [('email','jane%40example.com'),('e-mail','jansen'),('name','Jan+de+Vries'),('firstname','Sanne'),('lastname','Bakker'),
      ('fullName','Priya%20Sharma'),('phone','0612345678'),('tel','%2B31612345678'),('token','abc123'),('access_token','ya29.a0AfH6SMB'),
      ('auth','xyz'),('password','hunter2'),('pwd','geheim'),('ssn','078-05-1120'),('bsn','111222333'),('iban','NL91ABNA'),
      ('address','Damrak+1'),('street','Kalverstraat'),('zip','1012AB'),('postcode','1012%20AB'),('dob','1990-04-12'),
      ('birthdate','12-04-1990'),('user','jdevries'),('username','sanne.b'),('login','pjansen'),('session','a8f'),('sid','42'),
      ('key','k-77'),('secret','s3cr3t'),('userEmail','x'),('customer[email]','y'),('voornaam','Kees'),('achternaam','Smit'),
      ('jsessionid','1A2B3C'),('X-Amz-Signature','abcdef0123'),('X-Amz-Credential','AKIDEXAMPLE'),('code','4/0AX4XfWg'),('otp','123456')]
for i, (k, v) in enumerate(qs):
    sep = '?' if i % 3 else '&'
    prefix = 'https://shop.example/checkout' if sep == '?' else 'https://shop.example/checkout?step=2'
    P('personal_query', f'{prefix}{sep}{k}=[[{v}]]' + ('&utm_source=mail' if i % 2 else ''))
P('personal_query', 'https://app.example/callback#access_token=[[ya29a0AfH6SMBx]]&token_type=Bearer')
P('personal_query', '/account;jsessionid=[[B2F4E9A1]]')

# ================= negatives =================
neg = []
def N(cat, text): neg.append((cat, text))

prices = ['€ 1.234,56','€1.234,56','$1,299.00','€ 19,95','EUR 249,00','€ 0,99','Totaal: € 1.049,00','£ 12.50','Nu € 79,99 (was € 99,99)',
          '1.234.567,89 EUR','€ 12.345.678,00','USD 1,234,567.00','Prijs: 49,95 euro','€ 3.999,-','Bespaar € 250','CHF 1’299.00',
          '¥ 12,800','Subtotaal € 123.456.782,00','€ 123456782','123456782 EUR','Korting 15%','Verzendkosten € 4,95']
for p in prices: N('price', p)
dates = ['24-11-2026','2026-11-24','24/11/2026','11/24/2026','24.11.2026','2026-11-24T10:00:00Z','2026-11-24T10:00:00+01:00',
         'di 24 nov 2026','Tuesday, November 24, 2026','24-11-26','1-2-2026','01-02-2026','06-11-2026 10:00','06-11-2026 10:30:15',
         '2026-11-24 10:00:00.123','Geboren op 12-04-1990','Laatst gewijzigd: 2026-11-24T09:59:59.999Z','Fri, 27 Nov 2026 10:00:00 GMT',
         '20261124','2026/11/24 14:30','Week 48, 2026','Q4 2026']
for d in dates: N('date', d)
times = ['10:00','12:30:45','08:30-17:00','23:59:59','Openingstijden 09:00 - 17:30','Duur 01:23:45','T+00:05:00','00:00:00.000',
         'Looptijd 1:02:03:04','19:45 uur']
for t in times: N('time', t)
orders = ['ORD-12345678','Order #100234567','#100234567','Bestelnummer: 123456782','Factuur 2026-000123','Ordernummer 0612345678',
          'INV-2026-11-0042','Bestelling 7012345678','Referentie: 111222333','Klantnummer 123456782','Factuurnr. 987654321',
          'Order no. 4111111111111111','Track & Trace 3SABCD1234567','Zending JJD0001234567890','UPS 1Z999AA10123456784',
          'PostNL 3STBGB123456789','Kenmerk 2026/1124/001','Ticket #000123456','Transactie-id 8f3a2b1c','RMA-20261124-07',
          'order_id=123456782','orderId: 987654321','SKU 10023-BLK-XL','Artikelnummer 8712345678906','EAN 8712345678906',
          'EAN: 4006381333931','GTIN 00012345600012','ISBN 978-90-274-3964-2','ISBN 0-306-40615-2','ISBN-13: 978-0-306-40615-7',
          'KvK 12345678','BTW NL001234567B01','Dossier 2026-123456','Boekingsnummer ABC123456','PNR: X7K9QZ']
for o in orders: N('identifier', o)
versions = ['2.14.3','v10.0.19045','10.0.19045.2965','Chrome/120.0.6099.129','Firefox 121.0','v1.2.3.4','Versie 1.2.3.4','rrweb@2.0.0-alpha.11',
            'node v20.10.0','iOS 17.1.2','Android 14; SM-S918B','Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36',
            'build 20261124.1','1.2.3.4.5','section 4.2.1.3','semver 1.0.0+20130313144700','Python 3.12.1','API v2','1.0.0-rc.1+build.123']
for v in versions: N('version', v)
stamps = ['1795514400000','1795514400','1700000000000','timestamp: 1700000000123','ts=1795514400000','performance.now() 123456.789',
          'Date.now() = 1732442400000','"timeOffset":-16','1.7955144e12','epoch 1795514400']
for s in stamps: N('timestamp', s)
coords = ['52.3676, 4.9041','52.3676,4.9041','lat=52.3676&lng=4.9041','51.9244° N, 4.4777° E','-33.8688, 151.2093','40.7128, -74.0060',
          'geo:52.0907,5.1214','POINT(4.9041 52.3676)','center: [4.9041, 52.3676]','Zoom 12.5']
for c in coords: N('coordinate', c)
postal = ['1012 AB Amsterdam','3011 AD Rotterdam','2511 CV Den Haag','1000 Brussel','10115 Berlin','SW1A 1AA','75001 Paris',
          'Postcode 1234AB','9711 LM Groningen','NY 10001']
for p in postal: N('postal', p)
uuids = ['f47ac10b-58cc-4372-a567-0e02b2c3d479','123e4567-e89b-12d3-a456-426614174000','session 3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f',
         'urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8','data-id="c9bf9e57-1685-4c89-bafb-ff5af830be8a"']
for u in uuids: N('uuid', u)
colours = ['#1a2b3c','#fff','#000000','color: #06C; background: #0612345678','rgba(0, 0, 0, 0.5)','hsl(210, 50%, 40%)','#FF5733CC',
           'border-color: #ddd #eee #ccc #bbb']
for c in colours: N('colour', c)
css = ['margin: 0 auto; padding: 12px 24px','font: 16px/1.4 "Inter", sans-serif','@media (min-width: 768px) { .a { width: 50%; } }',
       'transform: translate3d(0, -120px, 0) rotate(45deg)','grid-template-columns: repeat(12, 1fr)','transition: all .3s cubic-bezier(0.25, 0.1, 0.25, 1)',
       'box-shadow: 0 1px 2px rgba(0,0,0,.1), 0 2px 4px rgba(0,0,0,.2)','width: calc(100% - 2rem)','z-index: 2147483647',
       '.col-md-6:nth-child(2n+1)::before { content: "" }','a::before, a::after { content: "→" }','url(/img/hero@2x.png)',
       'background-image: url(logo@2x.png)','src="icon@3x.webp"','font-feature-settings: "tnum" 1','clip-path: inset(0 0 0 0)',
       'animation: spin 1.2s linear infinite','@font-face { font-family: X; src: url(data:font/woff2;base64,d09GMgABAAAAAAQAAA4AAAAACKwAAAOuAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAGYACCUhEICoJEgnoLBgABNgIkAwgEIAWDAAcgG+0GyK4KbGNvLn0vVKMF8dWv2/2AixuvTJ3+O/z/l3+I84XM7) }']
for c in css: N('css', c)
percents = ['12,5%','+3,2%','−0.75%','99.9% uptime','Conversie 2,31% (+0,4%)','+12.5%','-100%','50% korting']
for p in percents: N('percent', p)
# phone-like but invalid
invalid_phones = ['06-1234567','06 123 456','+31 6 1234 567','+1 055 123 4567','+1 155 555 0132','0800-1234','112','0031','+31 0 12345678',
                  '+300 000 000','+100 000 000 bezoekers','+10 000 deelnemers','+250 000 views','+3,2 miljoen','+12 345','+20°C',
                  '1-800-FLOWERS','06-11-2026','010-20-30','+44 (0)','0612-34','(06) 123','00 00 00 00 00','0000000000',
                  '+0 612 345 678','+999 1234','12 34 56 78 90','Kamer 0.12','Regel 020-123']
for p in invalid_phones: N('phone_like', p)
# Luhn-invalid 16 digit
for i in range(14):
    c = card(random.choice(['4','51','52','55','6011','2221']), 16)
    bad = c[:-1] + str((int(c[-1]) + 1 + i % 8) % 10)
    assert not luhn_ok(bad)
    N('luhn_invalid', group(bad, [4,4,4,4]) if i % 2 else bad)
# Luhn-valid but no issuer
for i in range(6):
    c = card(random.choice(['1','7','8','9']), 16)
    N('no_issuer', group(c, [4,4,4,4]))
# bad IBAN check digits
for i, cc in enumerate(['NL','DE','BE','FR','GB','ES','IT','AT','CH','LU','IE','PT','PL','SE']):
    b = iban(cc, bban_for(cc, LENGTHS[cc]))
    chk = int(b[2:4]); bad = b[:2] + f'{(chk + 1 + i) % 97 + 2 if (chk + 1 + i) % 97 + 2 != chk else chk + 3:02d}'[:2] + b[4:]
    if mod97(bad[4:] + bad[:4]) == 1: continue
    N('iban_bad_check', spaced(bad) if i % 2 else bad)
N('iban_bad_check', 'US12345678901234567890')  # not SEPA
N('iban_bad_check', 'NL91ABNA041716430')  # too short
N('iban_bad_check', 'XX91ABNA0417164300')
# 9-digit non-elfproef
for i in range(20):
    N('bsn_invalid', ['Nummer {}','{}','ID-loos getal {}','Waarde: {}'][i % 4].format(not_bsn()))
# elfproef valid but non-BSN context
ctx = ['Order #{}','Bestelnummer: {}','€ {}','{},00','{} EUR','Factuurnummer {}','Tel. {}','Telefoon: {}','Ticket {}','Klantnummer: {}',
       'ordernr {}','Track {}','sku={}','id: {}','{}123','1{}','{}.50','#{}','ORD-{}','Artikel {}','Referentie {}','{}%','Kassabon {}']
for i, c in enumerate(ctx):
    N('bsn_context', c.format(bsn()))
# misc
misc = ['Gebruik code WINTER25 bij het afrekenen','Maat 42, kleur zwart','Aantal: 3','Pagina 1 van 12','Stap 2/4','Rating 4.5/5 (1.234 reviews)',
        '500 g','1,5 kg','2 x 500 ml','Levertijd 1-2 werkdagen','Huisnummer 12A','Postbus 1234','Bus 36','A2 afslag 4',
        '@media print','@import url("/css/print.css")','npm i @babel/core@7.23.5','#section-2','Twitter @veil_hq','user@localhost',
        'foo@bar','email@','@2x','kolom A1:B12','=SUM(A1:A10)','?page=2&sort=price_asc','?utm_source=newsletter&utm_medium=email',
        '?q=winterjas&size=M','?category=shoes&color=black&page=3','/products/winterjas-heren-zwart-2026','/static/js/main.3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c.js',
        'sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC','integrity="sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="',
        'ProductCardImageWrapperLarge','product-card__image-wrapper--large-2026','data-testid="checkout-form-submit-button-primary"',
        'Internationalisatievoorzieningen','Rechtsschutzversicherungsgesellschaften','getElementByIdAndUpdateTheStateOfTheComponent',
        'Winterjas Heren – Zwart – Maat L','Gratis verzending vanaf € 20','© 2026 Shop B.V. – KvK 12345678','Tel: 14 020','112 bellen bij nood',
        'Eindhoven 040','Area 51','A380-800','Boeing 737-8','COVID-19','H2O','CO2-uitstoot 120 g/km','MP3 320 kbps','1080p 60fps',
        'Wachtrij positie 1234','Nog 3 op voorraad','Vergelijk 4 producten','Bekijk alle 1.234 resultaten','3 x 4 = 12','x = 0.5 * (a + b)',
        'Artikel 8:1 Awb','Psalm 23:1-6','Matteüs 5:3-12','Johannes 3:16','Stand 2-1 (45+2)','Score 10:8','Tijd 12:30 - 13:45',
        'IPv4 settings','::selection','std::vector<int>','a::before','C:\\Program Files\\App','Bearer','token expired','Basic auth required',
        'De token is verlopen, log opnieuw in','eyJ is the prefix of a JWT header','ab.cd.ef','1.2.3','127.0.0.1.5','300.1.2.3','01.02.03.04',
        'Chrome 120.0.0.0','The year 2026 in 4 parts: 1 2 3 4','Serienummer SN-4711-0815','PIN-terminal 3','Kassa 4','Tafel 12']
for m in misc: N('misc', m)


more = ['Kenteken AB-123-C','Kenteken 12-ABC-3','GS1 (01)08712345678906(17)261124','Productcode 8710400311034','Barcode: 8 710400 311034',
        'Artikel 4006381333931','Model WM14N2EH','Type 2026.11.24','Serie 4111-AX','Batch L2026-11-24','Lot 123456782','Vlucht KL1234 om 10:45',
        'Spoor 5b','Bus 22 naar Centraal','NS 3012 via Utrecht','Kamer 3.14','Verdieping -1','Temperatuur -4,5 °C','Snelheid 120 km/u',
        'Gewicht 12,5 kg','Afmetingen 200 x 90 x 45 cm','Resolutie 3840 x 2160','Opslag 512 GB','RAM 16 GB DDR5-5600','Batterij 5000 mAh',
        'Bestand IMG_20261124_104512.jpg','DSC_0612345678.JPG','rapport-2026-11-24-v2.pdf','commit 3f9a8b7 (HEAD -> main)','PR #12345',
        'Issue #100234567','Stap 1 van 3','1/2 prijs','2e halve prijs','3 voor 2','Nog 2 dagen','Levering 24-26 nov','Week 47-48',
        'Huisnummer 12-3','Appartement 2.06','Telefoon nvt','Bel ons gratis','E-mail ons','@gebruiker','#hashtag2026','Versie 2026.11',
        'Onze openingstijden: ma-vr 09:00-17:30, za 10:00-16:00','Bestelnummer 0031612345678','Ordernummer: +31612345678',
        'sku=4111111111111111','id="0612345678"','Factuur NL91ABNA0417164301']
for m in more: N('misc', m)

with open(os.path.join(HERE, 'positives.tsv'), 'w') as f:
    f.write('# rule\ttext (the personal datum between [[ and ]])\n')
    for r, t in pos: 
        assert '\t' not in t and '\n' not in t
        f.write(f'{r}\t{t}\n')
with open(os.path.join(HERE, 'negatives.tsv'), 'w') as f:
    f.write('# category\ttext (nothing may be masked)\n')
    for c, t in neg:
        assert '\t' not in t and '\n' not in t
        f.write(f'{c}\t{t}\n')
print(len(pos), len(neg))
from collections import Counter
print(Counter(r for r, _ in pos))
