/* Declaration-only probe of the c-ares 1.34 API (MIT-licensed c-ares), used by
 * scripts/test.sh to compile src/core against the newer API with -Werror:
 * it catches deprecated calls and signature mismatches. Not for linking. */
/* probe: the declarations of c-ares 1.34's ares_dns_record.h that mxrecord uses */
#ifndef __ARES_DNS_RECORD_H
#define __ARES_DNS_RECORD_H
typedef enum { ARES_REC_TYPE_A = 1, ARES_REC_TYPE_MX = 15, ARES_REC_TYPE_TXT = 16, ARES_REC_TYPE_AAAA = 28 } ares_dns_rec_type_t;
typedef enum { ARES_CLASS_IN = 1 } ares_dns_class_t;
struct ares_dns_record;
typedef struct ares_dns_record ares_dns_record_t;
CARES_EXTERN ares_status_t ares_dns_write(const ares_dns_record_t *dnsrec, unsigned char **buf, size_t *buf_len);
CARES_EXTERN ares_status_t ares_dns_parse(const unsigned char *buf, size_t buf_len, unsigned int flags,
                                          ares_dns_record_t **dnsrec);
CARES_EXTERN void ares_dns_record_destroy(ares_dns_record_t *dnsrec);
#endif
