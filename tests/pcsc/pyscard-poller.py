#!/usr/bin/python3
"""Another PC/SC client, as a user's script would be (pyscard, Debian's python3-pyscard).

  pyscard-poller.py poll READER   until SIGTERM: connect, SELECT the ISD,
                                  INITIALIZE UPDATE (which ends any secure
                                  channel open on the card), GET STATUS,
                                  disconnect with pyscard's default
                                  disposition (SCARD_UNPOWER_CARD: the card
                                  is reset when another handle holds it).
                                  One line per round: "ok" or the error.
  pyscard-poller.py reset READER  connect ("connected"), wait for a line on stdin,
                                  SELECT ("selecting" first), disconnect with
                                  SCARD_RESET_CARD ("reset"), once.
"""
import signal
import sys

from smartcard.scard import (
    SCARD_PROTOCOL_T0, SCARD_PROTOCOL_T1, SCARD_RESET_CARD, SCARD_SCOPE_USER, SCARD_SHARE_SHARED,
    SCardConnect, SCardDisconnect, SCardEstablishContext, SCardGetErrorMessage, SCardTransmit,
)
from smartcard.System import readers

SELECT_ISD = [0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00, 0x00]
INITIALIZE_UPDATE = [0x80, 0x50, 0x00, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x00]
GET_STATUS_APPS = [0x80, 0xF2, 0x40, 0x02, 0x02, 0x4F, 0x00, 0x00]

stop = False


def on_term(_signum, _frame):
    global stop
    stop = True


def poll(name):
    reader = next(r for r in readers() if str(r) == name)
    signal.signal(signal.SIGTERM, on_term)
    while not stop:
        try:
            connection = reader.createConnection()
            connection.connect()
            for apdu in (SELECT_ISD, INITIALIZE_UPDATE, GET_STATUS_APPS):
                connection.transmit(apdu)
            connection.disconnect()
            print("ok", flush=True)
        except Exception as error:  # a round that fails is reported, the loop goes on
            print("error " + type(error).__name__ + ": " + str(error).replace("\n", " "), flush=True)


def reset(name):
    rc, context = SCardEstablishContext(SCARD_SCOPE_USER)
    rc, card, _protocol = SCardConnect(context, name, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
    if rc != 0:
        sys.exit("connect: " + SCardGetErrorMessage(rc))
    print("connected", flush=True)
    sys.stdin.readline()  # the test says when
    print("selecting", flush=True)
    rc, _response = SCardTransmit(card, _protocol, SELECT_ISD)
    rc = SCardDisconnect(card, SCARD_RESET_CARD)
    if rc != 0:
        sys.exit("disconnect: " + SCardGetErrorMessage(rc))
    print("reset", flush=True)


if __name__ == "__main__":
    {"poll": poll, "reset": reset}[sys.argv[1]](sys.argv[2])
