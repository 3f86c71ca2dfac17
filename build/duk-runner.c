/* Runs one ES5 file in duktape with a capped, counting allocator, for build/es5-engines.ts.
 * usage: duk-runner FILE [HEAP_BUDGET]
 * HEAP_BUDGET is bytes on top of the empty heap (0 = no cap). The `duk` CLI has no cap flag.
 * On exit it writes "PEAK n" (highest bytes allocated over the empty heap) as stderr's last line. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "duktape.h"

typedef union { size_t n; max_align_t align; } hdr;
static size_t used, peak, cap;

static void *xalloc(void *u, duk_size_t n) {
  hdr *h;
  (void)u;
  if (n == 0) return NULL;
  if (cap && used + n > cap) return NULL;
  h = malloc(sizeof(hdr) + n);
  if (!h) return NULL;
  h->n = n;
  used += n;
  if (used > peak) peak = used;
  return h + 1;
}

static void xfree(void *u, void *p) {
  hdr *h;
  (void)u;
  if (!p) return;
  h = (hdr *)p - 1;
  used -= h->n;
  free(h);
}

static void *xrealloc(void *u, void *p, duk_size_t n) {
  hdr *h;
  size_t old;
  if (!p) return xalloc(u, n);
  if (n == 0) { xfree(u, p); return NULL; }
  h = (hdr *)p - 1;
  old = h->n;
  if (cap && n > old && used + (n - old) > cap) return NULL;
  h = realloc(h, sizeof(hdr) + n);
  if (!h) return NULL;
  used = used - old + n;
  h->n = n;
  if (used > peak) peak = used;
  return h + 1;
}

static void fatal(void *u, const char *msg) {
  (void)u;
  fflush(stdout);
  fprintf(stderr, "duktape fatal: %s\n", msg ? msg : "?");
  exit(3);
}

static duk_ret_t print(duk_context *ctx) {
  duk_idx_t n = duk_get_top(ctx);
  duk_push_string(ctx, " ");
  duk_insert(ctx, 0);
  duk_join(ctx, n);
  printf("%s\n", duk_safe_to_string(ctx, -1));
  return 0;
}

int main(int argc, char **argv) {
  FILE *f;
  char *buf;
  long len;
  size_t base;
  int rc = 0;
  duk_context *ctx;
  if (argc < 2) { fprintf(stderr, "usage: duk-runner FILE [HEAP_BUDGET]\n"); return 2; }
  f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)len + 1);
  if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) { fprintf(stderr, "read failed\n"); return 2; }
  fclose(f);
  ctx = duk_create_heap(xalloc, xrealloc, xfree, NULL, fatal);
  if (!ctx) { fprintf(stderr, "no heap\n"); return 2; }
  duk_push_c_function(ctx, print, DUK_VARARGS);
  duk_put_global_string(ctx, "print");
  base = used;
  peak = used;
  if (argc > 2) {
    size_t budget = (size_t)strtoull(argv[2], NULL, 10);
    if (budget) cap = base + budget;
  }
  duk_push_string(ctx, "bundle.js");
  if (duk_pcompile_lstring_filename(ctx, 0, buf, (duk_size_t)len) != 0 || duk_pcall(ctx, 0) != 0) {
    fflush(stdout);
    fprintf(stderr, "%s\n", duk_safe_to_stacktrace(ctx, -1));
    rc = 1;
  }
  duk_pop(ctx);
  fflush(stdout);
  fprintf(stderr, "\nPEAK %lu\n", (unsigned long)(peak - base));
  cap = 0;
  duk_destroy_heap(ctx);
  free(buf);
  return rc;
}
