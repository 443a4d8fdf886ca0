/* fuzz_decode.c - libFuzzer target: one frame through the decoder of every link type.
 *
 * The input is one captured frame. A fresh decoder of each link type in
 * fuzz.h decodes it twice: fully captured, then as if the wire had carried
 * 64 bytes more than the capture kept (the truncated-payload paths).
 * Checked: a dropped frame counts exactly one anomaly; a decoded TCP or UDP
 * packet has a family, ports and a payload that lies inside the frame and is
 * no longer than its length on the wire (every payload byte is read, so
 * AddressSanitizer sees a pointer that leaves the frame).
 */
#include "decode.h"
#include "fuzz.h"

#include <netinet/in.h>
#include <string.h>

/* Anomalies counted since before[], other than the kinds a kept packet may
 * count (a bad TCP option, a payload not fully captured). */
static uint64_t counted_since(const struct eh_decoder *d, const uint64_t *before, bool kept)
{
    const uint64_t *a = eh_decoder_anomalies(d);
    uint64_t sum = 0;
    for (int i = 0; i < EH_ANOM_COUNT; i++) {
        EH_FUZZ_CHECK(a[i] >= before[i]);
        if (!kept || (i != EH_ANOM_BAD_TCP_OPTION && i != EH_ANOM_TRUNCATED_PAYLOAD))
            sum += a[i] - before[i];
    }
    return sum;
}

static void check_packet(const struct eh_pkt *p, enum eh_decode_result r, const uint8_t *data,
                         size_t size, uint32_t frame_len)
{
    EH_FUZZ_CHECK(p->family == 4 || p->family == 6);
    EH_FUZZ_CHECK(p->proto == (r == EH_DEC_TCP ? IPPROTO_TCP : IPPROTO_UDP));
    EH_FUZZ_CHECK(p->frame_len == frame_len);
    EH_FUZZ_CHECK(p->payload_cap <= p->payload_len);
    EH_FUZZ_CHECK(p->payload_len <= frame_len);
    /* A single frame is never reassembled: the payload lends into it. */
    EH_FUZZ_CHECK(p->payload_cap == 0 ||
                  (p->payload >= data && p->payload + p->payload_cap <= data + size));
    unsigned sum = 0;
    for (uint32_t i = 0; i < p->payload_cap; i++)
        sum += p->payload[i];
    (void)sum;
}

static void decode_once(struct eh_decoder *d, const uint8_t *data, size_t size, uint32_t frame_len)
{
    struct eh_pkt pkt;
    uint64_t before[EH_ANOM_COUNT];
    memcpy(before, eh_decoder_anomalies(d), sizeof(before));
    enum eh_decode_result r = eh_decode(d, data, (uint32_t)size, frame_len, 1000000, &pkt);
    switch (r) {
    case EH_DEC_TCP:
    case EH_DEC_UDP:
        check_packet(&pkt, r, data, size, frame_len);
        EH_FUZZ_CHECK(counted_since(d, before, true) == 0);
        break;
    case EH_DEC_BAD:
        EH_FUZZ_CHECK(counted_since(d, before, false) == 1);
        break;
    case EH_DEC_OTHER:
    case EH_DEC_HELD:
        EH_FUZZ_CHECK(counted_since(d, before, false) == 0);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0x10000) /* a capture's snap length is at most 262144; keep runs fast */
        return 0;
    for (size_t i = 0; i < EH_FUZZ_N_LINKTYPES; i++) {
        struct eh_decoder *d = eh_decoder_new(eh_fuzz_linktypes[i]);
        EH_FUZZ_CHECK(d != NULL);
        decode_once(d, data, size, (uint32_t)size);
        decode_once(d, data, size, (uint32_t)size + 64);
        struct eh_decode_stats st;
        eh_decoder_stats(d, &st);
        EH_FUZZ_CHECK(st.reassembled <= st.fragments);
        eh_decoder_finish(d);
        eh_decoder_free(d);
    }
    return 0;
}
