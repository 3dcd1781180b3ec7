#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <string.h>

#include "check_main.h"
#include "mtlskit/key_race.h"

struct racer {
  pthread_t thread;
  struct mtk_key_race *race;
  bool decided;
};

static void *run_racer(void *arg) {
  struct racer *r = arg;
  r->decided = mtk_key_race_run(r->race);
  return NULL;
}

// race_on_threads runs |num| racers of |race| on threads of their own and
// returns how many decided it.
static int race_on_threads(struct mtk_key_race *race, int num) {
  struct racer racers[4];
  ck_assert_int_le(num, 4);
  for (int i = 0; i < num; i++) {
    racers[i].race = race;
    racers[i].decided = false;
    ck_assert_int_eq(
        pthread_create(&racers[i].thread, NULL, run_racer, &racers[i]), 0);
  }
  int decided = 0;
  for (int i = 0; i < num; i++) {
    ck_assert_int_eq(pthread_join(racers[i].thread, NULL), 0);
    decided += racers[i].decided ? 1 : 0;
  }
  return decided;
}

// race_key runs a race of |bits| on two threads and returns its key.
static EVP_PKEY *race_key(unsigned bits) {
  struct mtk_key_race race;
  ck_assert_int_eq(mtk_key_race_init(&race, bits), 0);
  ck_assert_int_eq(race_on_threads(&race, 2), 1);
  ck_assert(mtk_key_race_over(&race));
  // The other racer stopped searching, or found a prime just too late;
  // either way exactly one key comes out.
  ck_assert_uint_le(mtk_key_race_num_abandoned(&race), 1);
  EVP_PKEY *key = NULL;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(mtk_key_race_take(&race, &key, &diag), 0);
  ck_assert_ptr_nonnull(key);
  EVP_PKEY *again = NULL;
  ck_assert_int_eq(mtk_key_race_take(&race, &again, NULL), MTK_ENOTFOUND);
  ck_assert_ptr_null(again);
  mtk_key_race_cleanup(&race);
  return key;
}

START_TEST(test_raced_key_is_a_valid_rsa_key_of_the_size) {
  EVP_PKEY *key = race_key(2048);
  ck_assert_int_eq(EVP_PKEY_id(key), EVP_PKEY_RSA);
  const RSA *rsa = EVP_PKEY_get0_RSA(key);
  ck_assert_ptr_nonnull(rsa);
  ck_assert_int_eq(RSA_check_key(rsa), 1);
  ck_assert_uint_eq(RSA_bits(rsa), 2048);
  ck_assert(BN_is_word(RSA_get0_e(rsa), RSA_F4));
  EVP_PKEY_free(key);
}
END_TEST

START_TEST(test_two_races_give_different_keys) {
  EVP_PKEY *a = race_key(1024);
  EVP_PKEY *b = race_key(1024);
  const RSA *ra = EVP_PKEY_get0_RSA(a), *rb = EVP_PKEY_get0_RSA(b);
  ck_assert_uint_eq(RSA_bits(ra), 1024);
  ck_assert_uint_eq(RSA_bits(rb), 1024);
  ck_assert_int_ne(BN_cmp(RSA_get0_n(ra), RSA_get0_n(rb)), 0);
  ck_assert_int_ne(BN_cmp(RSA_get0_p(ra), RSA_get0_p(rb)), 0);
  EVP_PKEY_free(a);
  EVP_PKEY_free(b);
}
END_TEST

// A racer of a decided race stops before its first candidate instead of
// searching (for 2048-bit primes, were it not stopped), and frees what it
// had made: run under ASan, a leak fails the test.
START_TEST(test_a_loser_abandons_its_search) {
  struct mtk_key_race race;
  ck_assert_int_eq(mtk_key_race_init(&race, 4096), 0);
  mtk_key_race_cancel(&race);
  ck_assert(mtk_key_race_over(&race));
  ck_assert(!mtk_key_race_run(&race));
  ck_assert_uint_eq(mtk_key_race_num_abandoned(&race), 1);
  ck_assert_int_eq(race_on_threads(&race, 3), 0);
  ck_assert_uint_eq(mtk_key_race_num_abandoned(&race), 4);
  EVP_PKEY *key = NULL;
  struct mtk_diag diag;
  mtk_diag_init(&diag);
  ck_assert_int_eq(mtk_key_race_take(&race, &key, &diag), MTK_ECANCELED);
  ck_assert_ptr_null(key);
  ck_assert_int_eq(diag.err, MTK_ECANCELED);
  mtk_key_race_cleanup(&race);
}
END_TEST

// A race cancelled once decided keeps its key: cancel only stops a race
// still running.
START_TEST(test_cancel_after_the_win_keeps_the_key) {
  struct mtk_key_race race;
  ck_assert_int_eq(mtk_key_race_init(&race, 1024), 0);
  ck_assert(mtk_key_race_run(&race));
  mtk_key_race_cancel(&race);
  EVP_PKEY *key = NULL;
  ck_assert_int_eq(mtk_key_race_take(&race, &key, NULL), 0);
  ck_assert_ptr_nonnull(key);
  ck_assert_int_eq(RSA_check_key(EVP_PKEY_get0_RSA(key)), 1);
  EVP_PKEY_free(key);
  mtk_key_race_cleanup(&race);
}
END_TEST

// Sizes the prime search cannot make, or beyond any use, are refused
// before a race starts.
START_TEST(test_impossible_size_is_refused) {
  struct mtk_key_race race;
  ck_assert_int_eq(mtk_key_race_init(&race, MTK_KEY_RACE_MAX_BITS + 128),
                   MTK_EINVAL);
  ck_assert_int_eq(mtk_key_race_init(&race, 384), MTK_EINVAL);
  ck_assert_int_eq(mtk_key_race_init(&race, 1000), MTK_EINVAL);
  ck_assert_int_eq(mtk_key_race_init(&race, 512), 0);
  mtk_key_race_cleanup(&race);
}
END_TEST

START_TEST(test_take_before_the_race_is_decided) {
  struct mtk_key_race race;
  ck_assert_int_eq(mtk_key_race_init(&race, 2048), 0);
  EVP_PKEY *key = NULL;
  ck_assert_int_eq(mtk_key_race_take(&race, &key, NULL), MTK_EINVAL);
  ck_assert_ptr_null(key);
  mtk_key_race_cleanup(&race);
}
END_TEST

static Suite *key_race_suite(void) {
  Suite *s = suite_create("key_race");
  TCase *tc = tcase_create("race");
  tcase_add_test(tc, test_raced_key_is_a_valid_rsa_key_of_the_size);
  tcase_add_test(tc, test_two_races_give_different_keys);
  tcase_add_test(tc, test_a_loser_abandons_its_search);
  tcase_add_test(tc, test_cancel_after_the_win_keeps_the_key);
  tcase_add_test(tc, test_impossible_size_is_refused);
  tcase_add_test(tc, test_take_before_the_race_is_decided);
  suite_add_tcase(s, tc);
  return s;
}

MTK_CHECK_MAIN(key_race_suite)
