#include "reprobe.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t mtk_probe_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

enum step {
  STEP_IDLE,
  STEP_CONNECTING,
  STEP_HANDSHAKE,
  STEP_WAITING,
  STEP_DONE
};

struct job {
  struct mtk_probe_reprobe *v;
  enum step step;
  int fd;
  SSL_CTX *ctx;
  SSL *ssl;
  short events;  // what poll must wait for
  int64_t start_us;
  int64_t end_us;  // the re-probe's own limit
};

// on_msg records, as curl's trace does, the first alert other than
// close_notify the server sends and whether it asked for a certificate.
static void on_msg(int write_p, int version, int content_type, const void *buf,
                   size_t len, SSL *ssl, void *arg) {
  struct job *j = arg;
  const unsigned char *b = buf;
  struct mtk_probe_facts *f = &j->v->facts;
  (void)version;
  (void)ssl;
  if (write_p) {
    return;
  }
  if (content_type == SSL3_RT_ALERT && len == 2 && f->alert <= 0) {
    f->alert = b[1];
  }
}

static void job_close(struct job *j) {
  SSL_free(j->ssl);
  SSL_CTX_free(j->ctx);
  if (j->fd >= 0) {
    close(j->fd);
  }
  j->ssl = NULL;
  j->ctx = NULL;
  j->fd = -1;
}

// job_finish classifies what was seen, with |code| the CURLcode libcurl
// gives for the same event.
static void job_finish(struct job *j, int code, int os_errno,
                       const char *detail) {
  struct mtk_probe_reprobe *v = j->v;
  v->facts.curl_code = code;
  v->facts.os_errno = os_errno;
  if (v->facts.ssl_error == 0) {
    v->facts.ssl_error = ERR_peek_last_error();
  }
  ERR_clear_error();
  v->total_us = mtk_probe_now_us() - j->start_us;
  snprintf(v->detail, sizeof(v->detail), "%s", detail);
  mtk_probe_classify(&v->facts, &v->outcome);
  job_close(j);
  j->step = STEP_DONE;
}

static int ctx_setup(struct job *j) {
  const struct mtk_probe_reprobe *v = j->v;
  j->ctx = SSL_CTX_new(TLS_client_method());
  if (j->ctx == NULL) {
    return MTK_ENOMEM;
  }
  int lo = v->tls == 13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  int hi = v->tls == 12 ? TLS1_2_VERSION : 0;
  if (SSL_CTX_set_min_proto_version(j->ctx, lo) != 1 ||
      SSL_CTX_set_max_proto_version(j->ctx, hi) != 1) {
    return MTK_EINTERNAL;
  }
  SSL_CTX_set_session_cache_mode(j->ctx, SSL_SESS_CACHE_OFF);
  if (v->insecure) {
    SSL_CTX_set_verify(j->ctx, SSL_VERIFY_NONE, NULL);
  } else {
    SSL_CTX_set_verify(j->ctx, SSL_VERIFY_PEER, NULL);
    int ok = v->cacert != NULL
                 ? SSL_CTX_load_verify_locations(j->ctx, v->cacert, NULL)
                 : SSL_CTX_set_default_verify_paths(j->ctx);
    if (ok != 1) {
      return MTK_ECRYPTO;
    }
  }
  if (v->id != NULL && mtk_probe_identity_apply(v->id, j->ctx) != 0) {
    return MTK_ECRYPTO;
  }
  j->ssl = SSL_new(j->ctx);
  if (j->ssl == NULL || SSL_set_fd(j->ssl, j->fd) != 1) {
    return MTK_ENOMEM;
  }
  SSL_set_msg_callback(j->ssl, on_msg);
  SSL_set_msg_callback_arg(j->ssl, j);
  unsigned char addr[16];
  bool literal = inet_pton(AF_INET, v->host, addr) == 1 ||
                 inet_pton(AF_INET6, v->host, addr) == 1;
  if (!literal && SSL_set_tlsext_host_name(j->ssl, v->host) != 1) {
    return MTK_EINTERNAL;
  }
  if (!v->insecure) {
    X509_VERIFY_PARAM *param = SSL_get0_param(j->ssl);
    int ok = literal ? X509_VERIFY_PARAM_set1_ip_asc(param, v->host)
                     : X509_VERIFY_PARAM_set1_host(param, v->host, 0);
    if (ok != 1) {
      return MTK_EINTERNAL;
    }
  }
  return 0;
}

// step_read waits for the server's first word after the handshake: the
// alert, a close, a reset, or nothing until the wait is over.
static void step_read(struct job *j) {
  unsigned char buf[512];
  ERR_clear_error();
  errno = 0;
  int r = SSL_read(j->ssl, buf, sizeof(buf));
  int saved = errno;
  if (r > 0) {
    job_finish(j, CURLE_WEIRD_SERVER_REPLY, 0,
               "the server sent data before any request");
    return;
  }
  int e = SSL_get_error(j->ssl, r);
  switch (e) {
    case SSL_ERROR_WANT_READ:
      j->events = POLLIN;
      return;
    case SSL_ERROR_WANT_WRITE:
      j->events = POLLOUT;
      return;
    case SSL_ERROR_ZERO_RETURN:
      job_finish(j, CURLE_RECV_ERROR, 0, "close_notify before any request");
      return;
    case SSL_ERROR_SYSCALL:
      job_finish(j, CURLE_RECV_ERROR, ERR_peek_error() == 0 ? saved : 0,
                 "connection ended before any request");
      return;
    default:
      job_finish(j, CURLE_RECV_ERROR, 0, "refused before any request");
      return;
  }
}

static void step_handshake(struct job *j) {
  ERR_clear_error();
  errno = 0;
  int r = SSL_connect(j->ssl);
  int saved = errno;
  if (r == 1) {
    j->v->facts.tls_done = true;
    j->step = STEP_WAITING;
    step_read(j);
    return;
  }
  int e = SSL_get_error(j->ssl, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    j->events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    return;
  }
  if (e == SSL_ERROR_SSL && SSL_get_verify_result(j->ssl) != X509_V_OK &&
      ERR_GET_REASON(ERR_peek_last_error()) ==
          SSL_R_CERTIFICATE_VERIFY_FAILED) {
    job_finish(j, CURLE_PEER_FAILED_VERIFICATION, 0,
               "server certificate not trusted");
    return;
  }
  job_finish(j, CURLE_SSL_CONNECT_ERROR,
             e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 ? saved : 0,
             "refused in the handshake");
}

static void step_connected(struct job *j) {
  int soerr = 0;
  socklen_t len = sizeof(soerr);
  if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) {
    soerr = errno;
  }
  if (soerr != 0) {
    job_finish(j, CURLE_COULDNT_CONNECT, soerr, "connect failed");
    return;
  }
  j->v->facts.tcp_connected = true;
  j->step = STEP_HANDSHAKE;
  step_handshake(j);
}

// job_start opens the connection. It returns 0 (the job may already be
// done), or an error for a failure of the probe itself.
static int job_start(struct job *j) {
  struct mtk_probe_reprobe *v = j->v;
  struct sockaddr_storage ss;
  socklen_t ss_len;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, v->ip, &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)v->port);
    ss_len = sizeof(*in4);
  } else if (inet_pton(AF_INET6, v->ip, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)v->port);
    ss_len = sizeof(*in6);
  } else {
    job_finish(j, CURLE_COULDNT_RESOLVE_HOST, 0, "no address to connect to");
    return 0;
  }
  j->start_us = mtk_probe_now_us();
  j->end_us = j->start_us + (int64_t)v->wait_ms * 1000;
  j->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (j->fd < 0) {
    job_finish(j, CURLE_COULDNT_CONNECT, errno, "socket failed");
    return 0;
  }
  int err = ctx_setup(j);
  if (err != 0) {
    job_close(j);
    ERR_clear_error();
    return err;
  }
  if (connect(j->fd, (struct sockaddr *)&ss, ss_len) == 0) {
    step_connected(j);
  } else if (errno == EINPROGRESS) {
    j->step = STEP_CONNECTING;
    j->events = POLLOUT;
  } else {
    job_finish(j, CURLE_COULDNT_CONNECT, errno, "connect failed");
  }
  return 0;
}

static void job_step(struct job *j) {
  switch (j->step) {
    case STEP_CONNECTING:
      step_connected(j);
      break;
    case STEP_HANDSHAKE:
      step_handshake(j);
      break;
    case STEP_WAITING:
      step_read(j);
      break;
    default:
      break;
  }
}

int mtk_probe_reprobe_run(struct mtk_probe_reprobe *v, size_t n,
                          size_t parallel, int64_t deadline_us,
                          struct mtk_diag *diag) {
  int err = 0;
  size_t next = 0;
  size_t cap = parallel > 0 ? parallel : 1;
  struct job *jobs = calloc(cap, sizeof(*jobs));
  struct pollfd *pfd = calloc(cap, sizeof(*pfd));
  if (jobs == NULL || pfd == NULL) {
    err = MTK_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    mtk_probe_facts_init(&v[i].facts);
    memset(&v[i].outcome, 0, sizeof(v[i].outcome));
    v[i].total_us = 0;
    v[i].detail[0] = '\0';
  }
  for (size_t i = 0; i < cap; i++) {
    jobs[i].fd = -1;
    jobs[i].step = STEP_IDLE;
  }
  for (;;) {
    int64_t now = mtk_probe_now_us();
    size_t active = 0;
    for (size_t i = 0; i < cap; i++) {
      struct job *j = &jobs[i];
      if ((j->step == STEP_IDLE || j->step == STEP_DONE) && next < n &&
          now < deadline_us) {
        memset(j, 0, sizeof(*j));
        j->fd = -1;
        j->v = &v[next++];
        if ((err = job_start(j)) != 0) {
          err = mtk_diag_set(diag, err, "re-probe: cannot set up OpenSSL");
          goto out;
        }
      }
      active += j->step != STEP_IDLE && j->step != STEP_DONE;
    }
    if (active == 0 && (next >= n || now >= deadline_us)) {
      break;
    }
    int64_t wake = deadline_us;
    nfds_t num = 0;
    for (size_t i = 0; i < cap; i++) {
      struct job *j = &jobs[i];
      pfd[i].fd = -1;
      pfd[i].events = 0;
      pfd[i].revents = 0;
      if (j->step == STEP_IDLE || j->step == STEP_DONE) {
        continue;
      }
      pfd[i].fd = j->fd;
      pfd[i].events = j->events;
      wake = j->end_us < wake ? j->end_us : wake;
      num = i + 1;
    }
    int64_t wait_ms = (wake - now) / 1000 + 1;
    if (wait_ms > 250) {
      wait_ms = 250;
    }
    if (poll(pfd, num, (int)wait_ms) < 0 && errno != EINTR) {
      err = mtk_diag_set(diag, MTK_EINTERNAL, "re-probe: poll failed");
      goto out;
    }
    now = mtk_probe_now_us();
    for (size_t i = 0; i < cap; i++) {
      struct job *j = &jobs[i];
      if (j->step == STEP_IDLE || j->step == STEP_DONE) {
        continue;
      }
      if (pfd[i].revents != 0) {
        job_step(j);
      }
      if (j->step == STEP_DONE) {
        continue;
      }
      if (now >= deadline_us) {
        j->v->facts.deadline = true;
        job_finish(j, CURLE_OPERATION_TIMEDOUT, 0, "cut short by --deadline");
      } else if (now >= j->end_us) {
        job_finish(j, CURLE_OPERATION_TIMEDOUT, 0,
                   "no verdict before any request within the wait");
      }
    }
  }
  // Re-probes the deadline came before.
  for (; next < n; next++) {
    v[next].facts.deadline = true;
    v[next].facts.curl_code = CURLE_OPERATION_TIMEDOUT;
    snprintf(v[next].detail, sizeof(v[next].detail),
             "not started before --deadline");
    mtk_probe_classify(&v[next].facts, &v[next].outcome);
  }
out:
  for (size_t i = 0; jobs != NULL && i < cap; i++) {
    job_close(&jobs[i]);
  }
  free(jobs);
  free(pfd);
  return err;
}
