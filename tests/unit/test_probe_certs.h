// Test data shared by the probe's unit tests: two self-signed P-256
// certificates ("leaf", "chain") and their keys. Their base64 holds '+',
// '/' and "==" padding, which the ALB URL-encoding tests rely on.
#ifndef MTK_TESTS_TEST_PROBE_CERTS_H
#define MTK_TESTS_TEST_PROBE_CERTS_H

static const char leaf_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBdDCCARmgAwIBAgIUG2+ivc90rzuZNCUF7b06+v0/AxAwCgYIKoZIzj0EAwIw\n"
    "DzENMAsGA1UEAwwEbGVhZjAeFw0yNjExMjMxNzM5MDJaFw0zNjExMjAxNzM5MDJa\n"
    "MA8xDTALBgNVBAMMBGxlYWYwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQP2TA2\n"
    "Lp8trE9fbMyC+EqoBtb48ee8avTD22WaBo6alGqp2W8Yvs+9k+s5j7W3z71Xpbwp\n"
    "FUOh7h3cvdC5mHcAo1MwUTAdBgNVHQ4EFgQUININ4JhHoXvSyFCcEbMxug4fApUw\n"
    "HwYDVR0jBBgwFoAUININ4JhHoXvSyFCcEbMxug4fApUwDwYDVR0TAQH/BAUwAwEB\n"
    "/zAKBggqhkjOPQQDAgNJADBGAiEAysU/5xtU2AsPZxNcseKkOZzHjIG6Xb5LfOeV\n"
    "eTmtAwoCIQDhvTgZ8IAACJxlDIy76gwpkfaUVYNsvjY2eD1Pkx6Wrw==\n"
    "-----END CERTIFICATE-----\n";
static const char leaf_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFyaz7tHQJe2Ma3Rv\n"
    "bvUiiK5022fnp+lJrsMtNuA/4N+hRANCAAQP2TA2Lp8trE9fbMyC+EqoBtb48ee8\n"
    "avTD22WaBo6alGqp2W8Yvs+9k+s5j7W3z71XpbwpFUOh7h3cvdC5mHcA\n"
    "-----END PRIVATE KEY-----\n";
static const char other_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBdjCCARugAwIBAgIUQZ9VXSsvVGcCPiSGONGR0VwqxVYwCgYIKoZIzj0EAwIw\n"
    "EDEOMAwGA1UEAwwFY2hhaW4wHhcNMjYxMTIzMTczOTAyWhcNMzYxMTIwMTczOTAy\n"
    "WjAQMQ4wDAYDVQQDDAVjaGFpbjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDM+\n"
    "r+h2B03b3ng13EmqMmZVsCziICzD6EiSnzDarFVA4WonBRAdXj1pBrptjpmEBz41\n"
    "4vDBwWnn01lgG6Fh/42jUzBRMB0GA1UdDgQWBBTv8xcROwBfUxKOrqbIs8L8LPMO\n"
    "njAfBgNVHSMEGDAWgBTv8xcROwBfUxKOrqbIs8L8LPMOnjAPBgNVHRMBAf8EBTAD\n"
    "AQH/MAoGCCqGSM49BAMCA0kAMEYCIQCcm4NHN1hVyhKouKQzUB81y7KEZ9iixhmL\n"
    "EOCQMBkIOwIhAJKW4odeFjgFog6eT0lwSK21wXr/OVPXrm2wLyXdAPmr\n"
    "-----END CERTIFICATE-----\n";
static const char other_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVqLyTEsbGMl57tgh\n"
    "Qmgoi4dieJGumb49HIhw6q7zcgChRANCAAQzPq/odgdN2954NdxJqjJmVbAs4iAs\n"
    "w+hIkp8w2qxVQOFqJwUQHV49aQa6bY6ZhAc+NeLwwcFp59NZYBuhYf+N\n"
    "-----END PRIVATE KEY-----\n";

#endif  // MTK_TESTS_TEST_PROBE_CERTS_H
