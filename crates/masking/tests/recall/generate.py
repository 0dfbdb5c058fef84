"""Generates the recall corpus (issue 16): personal data written the way
visitors type it into forms — separators, spacing, grouping, prefixes,
obfuscations — and what pages are full of that must stay untouched.

Writes positives.tsv (rule, format, text with [[marked]] data) and
negatives.tsv (category, format, text). Deterministic (fixed seed); run
from anywhere:
    python3 crates/masking/tests/recall/generate.py
Check digits (Luhn, mod-97, elfproef) are computed here, so every positive
is a real instance and every near miss really fails its check. The TSVs
are committed; crates/masking/tests/recall.rs reads them and writes the
per-detector table of docs/masking.md."""
import base64, json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
random.seed(20261206)

def rnd(n): return ''.join(random.choice('0123456789') for _ in range(n))
def rnd_alnum(n): return ''.join(random.choice('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') for _ in range(n))
def pick(xs): return random.choice(xs)

def luhn_check_digit(partial):
    total = 0
    for i, d in enumerate(reversed([int(c) for c in partial])):
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
    body = prefix + rnd(length - len(prefix) - 1)
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
    return f"{cc}{98 - mod97(bban + cc + '00'):02d}{bban}"

BBAN = {
    'NL': lambda: pick(['ABNA','RABO','INGB','SNSB','TRIO','BUNQ','ASNB','KNAB']) + rnd(10),
    'BE': lambda: rnd(12), 'DE': lambda: rnd(18), 'FR': lambda: rnd(10) + rnd_alnum(11) + rnd(2),
    'GB': lambda: pick(['NWBK','BARC','HBUK','LOYD']) + rnd(14), 'ES': lambda: rnd(20), 'AT': lambda: rnd(16),
    'IE': lambda: pick(['AIBK','BOFI']) + rnd(14), 'LU': lambda: rnd(3) + rnd_alnum(13), 'IT': lambda: pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ') + rnd(10) + rnd_alnum(12),
}

def elf(d):
    return sum(int(x) * w for x, w in zip(d, [9,8,7,6,5,4,3,2,-1])) % 11 == 0 and d != '000000000'

def bsn():
    while True:
        d = rnd(9)
        if elf(d) and d[0] != '0': return d

def b64u(b): return base64.urlsafe_b64encode(b).decode().rstrip('=')

def jwt(payload, alg='HS256'):
    h = b64u(json.dumps({'alg': alg, 'typ': 'JWT'}, separators=(',',':')).encode())
    p = b64u(json.dumps(payload, separators=(',',':')).encode())
    s = b64u(bytes(random.getrandbits(8) for _ in range(32 if alg.startswith('HS') else 64)))
    return f'{h}.{p}.{s}'

pos, neg = [], []
def P(rule, fmt, text): pos.append((rule, fmt, text))
def N(cat, fmt, text): neg.append((cat, fmt, text))

CONTEXT_NL = ['Bel me op {}', 'Telefoonnummer: {}', 'Mijn nummer is {} (liefst na 17u)', 'Bereikbaar op {}.',
              'tel {}', 'Graag terugbellen op {} aub', '{}']
CONTEXT_EN = ['Call me on {}', 'Phone: {}', 'My number is {}, evenings only', 'Reach me at {}.', 'mob. {}', '{}']

def contexts(lang): return CONTEXT_NL if lang == 'nl' else CONTEXT_EN

def put(rule, fmt, value, lang='nl', n=1):
    for _ in range(n):
        P(rule, fmt, pick(contexts(lang)).format('[[' + value + ']]'))

# ---------------- phone ----------------
def nl_mobile(): return '6' + rnd(8)
def nl_land():
    area = pick(['20', '10', '30', '70', '40', '50', '229', '591', '348', '85'])
    return area + rnd(9 - len(area))

for _ in range(6):
    m = nl_mobile()
    for fmt, v in [
        ('nl-mobile-plain', '0' + m), ('nl-mobile-dash', '06-' + m[1:]), ('nl-mobile-space-4-4', f'06 {m[1:5]} {m[5:]}'),
        ('nl-mobile-pairs', f'06 {m[1:3]} {m[3:5]} {m[5:7]} {m[7:]}'), ('nl-mobile-dash-spaced', f'06 - {m[1:]}'),
        ('nl-mobile-dots', f'06.{m[1:3]}.{m[3:5]}.{m[5:7]}.{m[7:]}'), ('nl-mobile-slash', f'06/{m[1:]}'),
        ('nl-mobile-paren', f'(06) {m[1:]}'), ('nl-intl-plus', '+31' + m), ('nl-intl-plus-space', f'+31 6 {m[1:5]} {m[5:]}'),
        ('nl-intl-trunk', f'+31 (0)6 {m[1:]}'), ('nl-intl-trunk-glued', f'+31(0)6{m[1:]}'), ('nl-intl-0031', f'0031 6 {m[1:]}'),
        ('nl-intl-0031-dash', f'0031-6-{m[1:]}'), ('nl-intl-dash', f'+31-6-{m[1:]}'), ('nl-intl-dash-spaced', f'+31 - 6 - {m[1:5]} {m[5:]}'),
        ('nl-intl-trunk-dash', f'+31 (0) 6-{m[1:]}'),
    ]:
        put('phone', fmt, v)
for _ in range(8):
    l = nl_land()
    a = 2 if l[:2] in ('20', '10', '30', '70', '40', '50', '85') else 3
    for fmt, v in [
        ('nl-land-dash', f'0{l[:a]}-{l[a:]}'), ('nl-land-space', f'0{l[:a]} {l[a:]}'), ('nl-land-paren', f'(0{l[:a]}) {l[a:]}'),
        ('nl-land-groups', f'0{l[:a]} {l[a:a+3]} {l[a+3:]}'), ('nl-land-intl', f'+31 {l[:a]} {l[a:]}'),
        ('nl-land-intl-trunk', f'+31 (0){l[:a]} {l[a:]}'), ('nl-land-dash-spaced', f'0{l[:a]} - {l[a:]}'),
    ]:
        put('phone', fmt, v)
for _ in range(10):
    be_m = '4' + pick(['7', '8', '9']) + rnd(7)
    be_l = pick(['2', '3', '9']) + rnd(7)
    de_m = '15' + pick(['1', '2', '7']) + rnd(8)
    de_l = pick(['30', '89', '40', '221']) 
    de_l = de_l + rnd(10 - len(de_l))
    uk_m = '7' + pick(['700', '911', '412']) + rnd(6)
    uk_l = '20' + pick(['7', '3', '8']) + rnd(7)
    us = pick(['212', '415', '646', '312', '617']) + pick(['555', '201', '734']) + rnd(4)
    for rule, fmt, v, lang in [
        ('phone', 'be-intl-mobile', f'+32 {be_m[:3]} {be_m[3:5]} {be_m[5:7]} {be_m[7:]}', 'nl'),
        ('phone', 'be-national-mobile', f'0{be_m[:3]} {be_m[3:5]} {be_m[5:7]} {be_m[7:]}', 'nl'),
        ('phone', 'be-intl-land', f'+32 {be_l[0]} {be_l[1:4]} {be_l[4:6]} {be_l[6:]}', 'nl'),
        ('phone', 'be-national-land', f'0{be_l[0]} {be_l[1:4]} {be_l[4:6]} {be_l[6:]}', 'nl'),
        ('phone', 'be-0032', f'0032 {be_m[:3]} {be_m[3:]}', 'nl'),
        ('phone', 'de-intl-mobile', f'+49 {de_m[:3]} {de_m[3:]}', 'en'),
        ('phone', 'de-intl-trunk', f'+49 (0){de_l[:2]} {de_l[2:]}', 'en'),
        ('phone', 'de-national-mobile', f'0{de_m[:3]} {de_m[3:]}', 'en'),
        ('phone', 'de-national-slash', f'0{de_l[:2]}/{de_l[2:]}', 'en'),
        ('phone', 'de-0049', f'0049 {de_l[:2]} {de_l[2:]}', 'en'),
        ('phone', 'uk-intl-mobile', f'+44 {uk_m[:4]} {uk_m[4:]}', 'en'),
        ('phone', 'uk-intl-trunk', f'+44 (0){uk_l[:2]} {uk_l[2:6]} {uk_l[6:]}', 'en'),
        ('phone', 'uk-national-mobile', f'0{uk_m[:4]} {uk_m[4:]}', 'en'),
        ('phone', 'uk-national-london', f'0{uk_l[:2]} {uk_l[2:6]} {uk_l[6:]}', 'en'),
        ('phone', 'us-intl', f'+1 {us[:3]} {us[3:6]} {us[6:]}', 'en'),
        ('phone', 'us-intl-paren', f'+1 ({us[:3]}) {us[3:6]}-{us[6:]}', 'en'),
        ('phone', 'us-national-paren', f'({us[:3]}) {us[3:6]}-{us[6:]}', 'en'),
        ('phone', 'us-national-dash', f'{us[:3]}-{us[3:6]}-{us[6:]}', 'en'),
        ('phone', 'us-national-dots', f'{us[:3]}.{us[3:6]}.{us[6:]}', 'en'),
    ]:
        put(rule, fmt, v, lang)

# Forms seen in contact forms that no detector was written for at first:
# other groupings, an en dash, a bracketed country code, the trunk glued.
for _ in range(6):
    m = nl_mobile()
    for fmt, v in [
        ('nl-mobile-3-3-2', f'06 {m[1:4]} {m[4:7]} {m[7:]}'), ('nl-intl-pairs', f'+31 6 {m[1:3]} {m[3:5]} {m[5:7]} {m[7:]}'),
        ('nl-mobile-en-dash', f'06–{m[1:]}'), ('nl-intl-bracketed-cc', f'(+31) 6 {m[1:]}'),
        ('nl-intl-0031-trunk', f'0031(0)6 {m[1:]}'), ('nl-intl-glued-dash', f'+316-{m[1:]}'),
        ('nl-land-pairs-dash-spaced', f'020 - {m[1:4]} {m[4:6]} {m[6:8]}'),
    ]:
        put('phone', fmt, v)

# ---------------- iban ----------------
for _ in range(14):
    for cc in BBAN:
        i = iban(cc, BBAN[cc]())
        four = ' '.join(i[k:k+4] for k in range(0, len(i), 4))
        fmt, v = pick([('iban-plain', i), ('iban-fours', four), ('iban-lower', i.lower()),
                       ('iban-lower-fours', four.lower()), ('iban-dashes', four.replace(' ', '-')),
                       ('iban-double-space', four.replace(' ', '  ')), ('iban-fours', four)])
        P('iban', fmt, pick(['IBAN: {}', 'Rekeningnummer {}', 'Betaal naar {} t.n.v. Stichting', 'Account {}, BIC INGBNL2A',
                              'Mijn rekening is {}', '{}']).format('[[' + v + ']]'))

# ---------------- card ----------------
for _ in range(30):
    visa, mc, amex = card('4', 16), card(pick(['51', '52', '53', '54', '55', '2221']), 16), card(pick(['34', '37']), 15)
    for fmt, v in [('card-visa-4444', group(visa, [4, 4, 4, 4])), ('card-visa-plain', visa),
                   ('card-mc-dash', group(mc, [4, 4, 4, 4], '-')), ('card-amex-465', group(amex, [4, 6, 5])),
                   ('card-amex-465-dash', group(amex, [4, 6, 5], '-')), ('card-visa-dots', group(visa, [4, 4, 4, 4], '.'))]:
        if random.random() < 0.55:
            P('card', fmt, pick(['Kaartnummer: {}', 'Card number {}', 'betaald met {} exp 12/28', 'CC {}', '{}']).format('[[' + v + ']]'))

# ---------------- email ----------------
FIRST = ['jan', 'sanne', 'priya', 'lars', 'emma', 'noah', 'fatima', 'jürgen', 'zoë', 'mohammed', 'anne-marie', 'o.brien']
LAST = ['devries', 'jansen', 'bakker', 'visser', 'smit', 'meijer', 'elamrani', 'müller', 'nguyen']
DOM = ['gmail.com', 'hotmail.nl', 'ziggo.nl', 'kpnmail.nl', 'outlook.com', 'mail.shop.example', 'student.uva.nl',
       'web.de', 'telenet.be', 'bakkerij-van-dijk.nl', 'xn--mller-kva.de', 'müller.de']
for _ in range(120):
    f, l, d = pick(FIRST), pick(LAST), pick(DOM)
    user = pick([f'{f}.{l}', f'{f}{l}', f'{f}+shop', f'{f}.{l}+nieuwsbrief', f'{f[0]}.{l}', f'{f}_{l}{rnd(2)}'])
    dn, tld = d.rsplit('.', 1)
    fmt, v = pick([
        ('email-plain', f'{user}@{d}'), ('email-upper', f'{user}@{d}'.upper()), ('email-plus', f'{f}+{rnd(3)}@{d}'),
        ('email-subdomain', f'{user}@mail.{d}'), ('email-at-dot', f'{user} at {dn} dot {tld}'),
        ('email-bracket-at', f'{user}[at]{d}'), ('email-paren-at', f'{user} (at) {d}'),
        ('email-bracket-at-dot', f'{user} [at] {dn} [dot] {tld}'), ('email-spaced-at', f'{user} @ {d}'),
    ])
    P('email', fmt, pick(['Mail me: {}', 'E-mailadres {}', 'Stuur het naar {} aub', 'contact: {}', '{}']).format('[[' + v + ']]'))

# ---------------- bsn ----------------
for _ in range(70):
    b = bsn()
    fmt, v = pick([('bsn-plain', b), ('bsn-dots', f'{b[:4]}.{b[4:6]}.{b[6:]}'), ('bsn-spaces', f'{b[:3]} {b[3:6]} {b[6:]}'),
                   ('bsn-dots-3', f'{b[:3]}.{b[3:6]}.{b[6:]}'), ('bsn-spaces-4', f'{b[:4]} {b[4:6]} {b[6:]}')])
    P('bsn', fmt, pick(['BSN: {}', 'Burgerservicenummer {}', 'mijn bsn is {}', 'BSN-nummer: {}', 'sofinummer {}']).format('[[' + v + ']]'))

# ---------------- jwt / bearer ----------------
for _ in range(40):
    t = jwt({'sub': rnd(5), 'email': pick(FIRST) + '@example.com', 'iat': 1795514400}, pick(['HS256', 'RS256', 'ES256']))
    fmt, text = pick([('jwt-header', 'Authorization: Bearer [[{}]]'), ('jwt-query', 'https://app.example/cb?token=[[{}]]&x=1'),
                      ('jwt-fragment', 'https://app.example/#id_token=[[{}]]'), ('jwt-json', '{{"access_token":"[[{}]]"}}'),
                      ('jwt-text', 'mijn token is [[{}]] werkt niet')])
    P('jwt', fmt, text.format(t))

# ---------------- personal query parameters ----------------
for _ in range(70):
    f, l = pick(FIRST), pick(LAST)
    e = f'{f}.{l}@{pick(DOM)}'
    enc = e.replace('@', '%40')
    fmt, text = pick([
        ('query-email-encoded', f'https://shop.example/bevestig?email=[[{enc}]]&step=2'),
        ('query-name', f'https://shop.example/checkout?name=[[{f}]]&total=12'),
        ('query-phone', f'https://shop.example/cb?phone=[[0{nl_mobile()}]]'),
        ('query-double-encoded', f'https://r.example/go?url=https%3A%2F%2Fshop.example%2F%3Femail%3D[[{e.replace("@", "%2540")}]]'),
        ('query-postcode', f'https://shop.example/bezorg?postcode=[[1012AB]]&nr=12'),
        ('query-lastname', f'https://shop.example/form?achternaam=[[{l}]]'),
    ])
    P('personal_query', fmt, text)

# ---------------- negatives ----------------
for _ in range(60):
    N('price', 'eur-comma', pick(['Totaal € {},{:02d}', 'Nu €{},{:02d} incl. btw', 'Prijs: EUR {},{:02d}']).format(random.randint(1, 9999), random.randint(0, 99)))
    N('price', 'thousands', pick(['€ {}.{:03d},00', '$ {},{:03d}.99', '{} {:03d} kr']).format(random.randint(1, 99), random.randint(0, 999)))
    d, m, y = random.randint(1, 28), random.randint(1, 12), random.randint(2020, 2027)
    N('date', 'dmy', pick(['Levering op {:02d}-{:02d}-{}', 'Datum: {:02d}/{:02d}/{}', 'Geldig t/m {:02d}.{:02d}.{}']).format(d, m, y))
    N('date', 'iso', f'Besteld op {y}-{m:02d}-{d:02d} om {random.randint(0, 23):02d}:{random.randint(0, 59):02d}')
    N('time', 'range', f'Open {random.randint(7, 10):02d}:00 - {random.randint(17, 22):02d}:30, za {random.randint(9, 11)}:00-16:00')
    N('order', 'code', pick(['Bestelnummer ORD-{}-{}', 'Order #{}{}', 'Factuur F{}/{}', 'Ticket TCK-{}-{}']).format(rnd(4), rnd(6)))
    N('product', 'sku', pick(['SKU {}-{}', 'Art.nr. {}.{}', 'Model XR-{} rev {}']).format(rnd(5), rnd(3)))
    N('version', 'semver', pick(['Versie {}.{}.{}', 'v{}.{}.{}-beta', 'build {}.{}.{}']).format(random.randint(0, 20), random.randint(0, 40), random.randint(0, 300)))
    N('address', 'nl-postcode-shop', f'Winkel: Kalverstraat {random.randint(1, 200)}, {random.randint(1000, 9999)} AB Amsterdam')
    N('address', 'de-plz', f'Filiale: Hauptstraße {random.randint(1, 99)}, {random.randint(10000, 99999)} Berlin')
    N('coordinates', 'latlon', f'Locatie {random.uniform(50, 54):.4f}, {random.uniform(3, 7):.4f}')
    N('colour', 'hex', pick(['color: #{}', 'background:#{};', 'fill="#{}"']).format(''.join(pick('0123456789abcdef') for _ in range(6))))
    N('css', 'values', f'margin: 0 {random.randint(1, 40)}px {random.randint(1, 40)}px {random.randint(1, 40)}px; z-index: {random.randint(1, 9999)}')
    N('timestamp', 'epoch-ms', f'"ts":{random.randint(1600000000000, 1900000000000)}')
    N('timestamp', 'iso-z', f'updated {y}-{m:02d}-{d:02d}T{random.randint(0, 23):02d}:{random.randint(0, 59):02d}:00Z')
    N('count', 'grouped', f'{random.randint(1, 999)} {random.randint(100, 999)} bezoekers per maand')
    N('quantity', 'units', f'{random.randint(1, 99)} x {random.randint(100, 999)} gram, {random.randint(1, 50)}-pack')
    N('percent', 'decimal', f'Korting {random.randint(1, 70)},{random.randint(0, 9)}% op {random.randint(2, 20)} artikelen')

# Near misses of the wider formats: numbers grouped like a BSN in threes,
# like a North American or foreign national phone number, and dotted
# dates with a time.
for _ in range(40):
    N('count', 'grouped-3-3-3', f'{random.randint(100, 999)} {random.randint(0, 999):03d} {random.randint(0, 999):03d} inwoners in 2026')
    N('amount', 'dotted-thousands', f'Omzet € {random.randint(1, 999)}.{random.randint(0, 999):03d}.{random.randint(0, 999):03d}')
    N('serial', '3-3-4-labelled', f'Serienummer {random.randint(200, 999)}-{random.randint(200, 999)}-{rnd(4)}')
    N('isbn', 'isbn-13', f'ISBN 978-90-{rnd(3)}-{rnd(4)}-{random.randint(0, 9)}')
    N('date', 'dots-time', f'Afspraak {random.randint(1, 28):02d}.{random.randint(1, 12):02d}.2026 {random.randint(8, 18):02d}:{pick(["00", "15", "30", "45"])}')
    N('order', 'long-grouped', f'Zending {rnd(4)} {rnd(4)} {rnd(4)} {rnd(4)} onderweg')

# ---------------- dates of birth (default rule) ----------------
# Appended after the first corpus so that the rows above stay identical.
MONTHS_NL = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december']
MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember']
for _ in range(110):
    d, m, y = random.randint(1, 28), random.randint(1, 12), random.randint(1930, 2010)
    fmt, label, v = pick([
        ('dob-nl-dashes', pick(['Geboortedatum: ', 'Geboortedatum ', 'geboortedatum - ', 'Geboren op ', 'geb. ']), f'{d:02d}-{m:02d}-{y}'),
        ('dob-nl-short', pick(['Geboortedatum: ', 'geb. ']), f'{d}-{m}-{y}'),
        ('dob-nl-written', pick(['Geboren op ', 'geb. ', 'Geboortedatum: ']), f'{d} {MONTHS_NL[m - 1]} {y}'),
        ('dob-nl-slashes', 'Geboortedatum: ', f'{d:02d}/{m:02d}/{y}'),
        ('dob-en-us', pick(['Date of birth: ', 'DOB: ', 'D.O.B. ', 'Birthday: ', 'Birth date ']), f'{m:02d}/{d:02d}/{y}'),
        ('dob-en-written', pick(['Born on ', 'Date of birth: ', 'born ']), f'{MONTHS_EN[m - 1]} {d}, {y}'),
        ('dob-iso', pick(['Date of birth: ', 'DOB ', 'Geboortedatum: ', 'birthdate: ']), f'{y}-{m:02d}-{d:02d}'),
        ('dob-de-dots', pick(['Geburtsdatum: ', 'geboren am ', 'Geb.-Datum: ']), f'{d:02d}.{m:02d}.{y}'),
        ('dob-de-written', pick(['geboren am ', 'Geburtsdatum: ']), f'{d}. {MONTHS_DE[m - 1]} {y}'),
        ('dob-fr', pick(['Date de naissance : ', 'née le ', 'né le ']), f'{d:02d}/{m:02d}/{y}'),
        ('dob-two-digit-year', pick(['geb. ', 'DOB ']), f'{d:02d}-{m:02d}-{y % 100:02d}'),
    ])
    P('birth_date', fmt, pick(['{}', 'Uw gegevens: {}', 'Klant: {}, klant sinds 2019', '{} (controleer dit a.u.b.)']).format(label + '[[' + v + ']]'))

# ---------------- opt-in rules ----------------
# Measured with the rule turned on (docs/masking.md, "Opt-in detectors").
PC_LETTERS = 'ABCEGHJKLNPRTVWXZ'
for _ in range(80):
    pc = f'{random.randint(1000, 9999)}'
    letters = pick(PC_LETTERS) + pick(PC_LETTERS)
    street = pick(['Dorpsstraat', 'Kerkweg', 'Molenlaan', 'Stationsplein', 'Julianastraat'])
    fmt, text = pick([
        ('postcode-space', f'Bezorgadres: {street} {random.randint(1, 200)}, [[{pc} {letters}]] {pick(["Utrecht", "Zwolle", "Ede"])}'),
        ('postcode-glued', f'{street} {random.randint(1, 200)}, [[{pc}{letters}]] Den Haag'),
        ('postcode-house-number', f'Postcode + huisnummer: [[{pc} {letters} {random.randint(1, 300)}]]'),
        ('postcode-house-number-glued', f'[[{pc}{letters} {random.randint(1, 300)}{pick(["", "a", "b", "-2"])}]]'),
        ('postcode-lower-labelled', f'postcode: [[{pc}{letters.lower()}]]'),
        ('postcode-labelled', f'Postcode [[{pc} {letters}]], huisnummer {random.randint(1, 90)}'),
    ])
    P('postcode', fmt, text)

NL_PLATE_LETTERS = 'BDFGHJKLMNPRSTVXZ'
def L(n): return ''.join(pick(NL_PLATE_LETTERS) for _ in range(n))
for _ in range(80):
    fmt, v = pick([
        ('plate-nl-sidecode-4', f'{L(2)}-{rnd(2)}-{L(2)}'), ('plate-nl-sidecode-5', f'{rnd(2)}-{L(2)}-{L(2)}'),
        ('plate-nl-sidecode-6', f'{rnd(2)}-{L(3)}-{rnd(1)}'), ('plate-nl-sidecode-7', f'{rnd(1)}-{L(3)}-{rnd(2)}'),
        ('plate-nl-sidecode-8', f'{L(2)}-{rnd(3)}-{L(1)}'), ('plate-nl-sidecode-9', f'{L(1)}-{rnd(3)}-{L(2)}'),
        ('plate-nl-sidecode-10', f'{L(3)}-{rnd(2)}-{L(1)}'), ('plate-nl-sidecode-11', f'{L(1)}-{rnd(2)}-{L(3)}'),
        ('plate-gb', f'{L(2)}{rnd(2)} {L(3)}'),
        ('plate-de', f'{pick(["M", "B", "HH", "K", "F", "S"])}-{L(2)} {random.randint(1, 9999)}'),
    ])
    P('licence_plate', fmt, pick(['Kenteken: {}', 'kenteken {} (lease)', 'Ihr Kennzeichen: {}', 'Registration {}', 'Auto met kenteken {} is klaar']).format('[[' + v + ']]'))

NAME_FIRST = ['Jan', 'Sanne', 'Priya', 'Lars', 'Emma', 'Noah', 'Fatima', 'Jürgen', 'Zoë', 'Mohammed', 'Anne-Marie', 'Seán', 'J.P.', 'Chloé']
NAME_LAST = ['de Vries', 'Jansen', 'Bakker', 'van den Berg', "O'Brien", 'El Amrani', 'Müller', 'Nguyen', 'ter Horst', 'von Weizsäcker', 'Dupont-Leroy']
for _ in range(80):
    f, l = pick(NAME_FIRST), pick(NAME_LAST)
    fmt, text = pick([
        ('name-nl', f'Naam: [[{f} {l}]]'), ('name-nl-parts', f'Voornaam: [[{f}]] Achternaam: [[{l}]]'),
        ('name-en', f'Full name: [[{f} {l}]]'), ('name-en-short', f'Name: [[{f} {l}]], Phone'),
        ('name-attn', f't.a.v. [[{f[0]}. {l}]]'), ('name-de', f'Vorname: [[{f}]], Nachname: [[{l}]]'),
        ('name-contact', f'Contactpersoon: [[{f} {l}]]'),
    ])
    P('labelled_name', fmt, text)

# Near misses of the opt-in rules and of dates of birth: the labels
# with other things after them, and codes in the shape of a plate.
for _ in range(40):
    N('date', 'born-label-no-date', pick(['Born in the USA', 'Geboren en getogen in Utrecht', 'DOB-veld is verplicht']))
    N('date', 'date-without-label', f'Geleverd op {random.randint(1, 28)} {pick(MONTHS_NL)} {random.randint(2020, 2027)}')
    N('product', 'size-range', f'Maat EU-{random.randint(30, 46)}, lengte {random.randint(28, 36)}')
    N('product', 'part-code', f'Onderdeel {pick("ABCDEFGH")}{rnd(3)}-{rnd(2)}')
    N('product', 'label-product-name', pick(['Productnaam: Winterjas Heren', 'naam: premium', 'Naam van de winkel', 'name="email"',
                                             'Name: Premium Plan', 'Naam: Winterjas Heren']))
    N('product', 'size-range-plate-shape', f'Maat {pick(["XL", "XS", "ML"])}-{random.randint(30, 46)}-{random.randint(30, 46)}')
    if random.random() < 0.25:
        N('product', 'size-range-plate-shape-unlabelled', f'{pick(["XL", "XS"])}-{random.randint(30, 46)}-{random.randint(30, 46)} op voorraad')
    N('count', 'number-and-unit', f'{random.randint(1000, 9999)} {pick(["MB", "GB", "KB", "km", "kg", "PX", "SS"])}')

def write(name, rows, header):
    with open(os.path.join(HERE, name), 'w', encoding='utf-8') as out:
        out.write('# ' + header + '\n')
        for row in rows:
            assert all('\t' not in c and '\n' not in c for c in row), row
            out.write('\t'.join(row) + '\n')

write('positives.tsv', pos, 'rule\tformat\ttext with [[personal data]] marked (generated by generate.py)')
write('negatives.tsv', neg, 'category\tformat\ttext that must stay untouched (generated by generate.py)')
print(len(pos), 'positives,', len(neg), 'negatives')
