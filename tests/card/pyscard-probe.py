"""pyscard against `webcard sim` (tests/card/pyscard.test.ts): SELECT the ISD,
read the CPLC, list the registry with GET STATUS (following 6310), and print
what came back as one JSON line. argv: reader name, seconds to wait for the card."""
import json
import sys
import time

from smartcard.System import readers
from smartcard.Exceptions import CardConnectionException, NoCardException


def hexs(b):
    return "".join("%02X" % x for x in b)


def connect(name, wait):
    end = time.time() + wait
    while True:
        matches = [r for r in readers() if str(r) == name]
        if not matches:
            raise SystemExit("reader %r not listed by pyscard: %r" % (name, [str(r) for r in readers()]))
        try:
            connection = matches[0].createConnection()
            connection.connect()
            return connection
        except (NoCardException, CardConnectionException):
            if time.time() > end:
                raise
            time.sleep(0.1)


def send(connection, apdu):
    data, sw1, sw2 = connection.transmit(apdu)
    return data, (sw1 << 8) | sw2


def get_status(connection, p1):
    """Every page of a tagged GET STATUS, as GlobalPlatformPro asks: P2 02, then 03 while 6310."""
    pages, sws, p2 = [], [], 0x02
    while True:
        data, sw = send(connection, [0x80, 0xF2, p1, p2, 0x02, 0x4F, 0x00, 0x00])
        sws.append("%04X" % sw)
        if sw not in (0x9000, 0x6310):
            break
        pages.append(hexs(data))
        if sw == 0x9000 or len(pages) > 50:
            break
        p2 = 0x03
    return {"data": "".join(pages), "sws": sws}


connection = connect(sys.argv[1], float(sys.argv[2]))
select, select_sw = send(connection, [0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00, 0x00])
cplc, cplc_sw = send(connection, [0x80, 0xCA, 0x9F, 0x7F, 0x00])
print(json.dumps({
    "atr": hexs(connection.getATR()),
    "select": {"data": hexs(select), "sw": "%04X" % select_sw},
    "cplc": {"data": hexs(cplc), "sw": "%04X" % cplc_sw},
    "isd": get_status(connection, 0x80),
    "apps": get_status(connection, 0x40),
    "loadFiles": get_status(connection, 0x20),
}))
connection.disconnect()
