/*
 * The C baseline of bench/transmit.ts: the same APDUs through the same
 * pcscd + vpcd to the same card process, timed around SCardTransmit alone.
 *
 *   transmit <reader> <short count> <extended count> <extended data bytes>
 *
 * Prints two lines of round-trip times in microseconds: "short t1 t2 ..."
 * and "extended t1 t2 ...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int fail(const char *call, LONG rc) {
  fprintf(stderr, "%s failed: %s (0x%08lX)\n", call, pcsc_stringify_error(rc), (unsigned long)rc);
  return 1;
}

static int run(SCARDHANDLE card, const SCARD_IO_REQUEST *pci, const char *label, const BYTE *cmd, DWORD len, int count) {
  static BYTE resp[65536 + 2];
  printf("%s", label);
  for (int i = 0; i < count; i++) {
    DWORD rlen = sizeof resp;
    double t0 = now_us();
    LONG rc = SCardTransmit(card, pci, cmd, len, NULL, resp, &rlen);
    double t1 = now_us();
    if (rc != SCARD_S_SUCCESS) return fail("SCardTransmit", rc);
    if (rlen < 2 || resp[rlen - 2] != 0x90) { fprintf(stderr, "unexpected response\n"); return 1; }
    printf(" %.3f", t1 - t0);
  }
  printf("\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: %s reader short extended bytes\n", argv[0]); return 2; }
  int shorts = atoi(argv[2]), extendeds = atoi(argv[3]), bytes = atoi(argv[4]);
  SCARDCONTEXT ctx;
  SCARDHANDLE card;
  DWORD protocol;
  LONG rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
  if (rc != SCARD_S_SUCCESS) return fail("SCardEstablishContext", rc);
  rc = SCardConnect(ctx, argv[1], SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);
  if (rc != SCARD_S_SUCCESS) return fail("SCardConnect", rc);
  const SCARD_IO_REQUEST *pci = protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;

  /* ECHO of 4 bytes (case 3 short). */
  BYTE short_cmd[] = {0x80, 0xEC, 0x00, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04};
  if (run(card, pci, "short", short_cmd, sizeof short_cmd, shorts)) return 1;

  /* ECHO of `bytes` bytes (case 4 extended, Le 0000). */
  BYTE *ext = calloc(1, 7 + bytes + 2);
  ext[0] = 0x80; ext[1] = 0xEC; ext[5] = bytes >> 8; ext[6] = bytes & 0xFF;
  for (int i = 0; i < bytes; i++) ext[7 + i] = i & 0xFF;
  if (run(card, pci, "extended", ext, 7 + bytes + 2, extendeds)) return 1;

  free(ext);
  SCardDisconnect(card, SCARD_LEAVE_CARD);
  SCardReleaseContext(ctx);
  return 0;
}
