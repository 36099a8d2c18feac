// LD_PRELOAD shim that makes the local file system behave like a slow shared one and counts what a process
// asks of it (tests/integration/test_dist.py, bench/dist_sim.py; docs/distributed.md "Simulation").
//   HFBATCH_FS_DELAY_US=N      sleep N µs before every open / stat / rename / unlink / mkdir / opendir
//                              (a metadata round trip to a Lustre/NFS server is 0.1-1 ms)
//   HFBATCH_FS_MATCH=S         count separately the opens of paths containing S (e.g. the input folder)
//   HFBATCH_FS_COUNT_FILE=P    at exit, append one line to P:
//                              "pid=… rank=… opens=… matched_opens=… stats=… renames=… unlinks=… dirs=…"
// Only path-based calls are intercepted (not read/write: data transfer is not what the commit protocol
// scales with).
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static atomic_long n_open, n_match, n_stat, n_rename, n_unlink, n_dir;
static long delay_us = -1;
static const char* match;

static void before(atomic_long* counter, const char* path, int is_open) {
  if (delay_us < 0) {
    const char* d = getenv("HFBATCH_FS_DELAY_US");
    match = getenv("HFBATCH_FS_MATCH");
    delay_us = d ? atol(d) : 0;
  }
  atomic_fetch_add(counter, 1);
  if (is_open && match && path && strstr(path, match)) atomic_fetch_add(&n_match, 1);
  if (delay_us > 0) {
    struct timespec ts = {delay_us / 1000000, (delay_us % 1000000) * 1000};
    nanosleep(&ts, NULL);
  }
}

#define REAL(name, ret, ...) \
  static ret (*real_##name)(__VA_ARGS__); \
  if (!real_##name) real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

static mode_t mode_arg(int flags, va_list ap) {
  return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  REAL(open, int, const char*, int, ...);
  before(&n_open, path, 1);
  return real_open(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  REAL(open64, int, const char*, int, ...);
  before(&n_open, path, 1);
  return real_open64(path, flags, mode);
}

int openat(int dir, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  REAL(openat, int, int, const char*, int, ...);
  before(&n_open, path, 1);
  return real_openat(dir, path, flags, mode);
}

int openat64(int dir, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  REAL(openat64, int, int, const char*, int, ...);
  before(&n_open, path, 1);
  return real_openat64(dir, path, flags, mode);
}

int stat(const char* path, struct stat* st) {
  REAL(stat, int, const char*, struct stat*);
  before(&n_stat, path, 0);
  return real_stat(path, st);
}

int lstat(const char* path, struct stat* st) {
  REAL(lstat, int, const char*, struct stat*);
  before(&n_stat, path, 0);
  return real_lstat(path, st);
}

int stat64(const char* path, struct stat64* st) {
  REAL(stat64, int, const char*, struct stat64*);
  before(&n_stat, path, 0);
  return real_stat64(path, st);
}

int lstat64(const char* path, struct stat64* st) {
  REAL(lstat64, int, const char*, struct stat64*);
  before(&n_stat, path, 0);
  return real_lstat64(path, st);
}

int fstatat(int dir, const char* path, struct stat* st, int flags) {
  REAL(fstatat, int, int, const char*, struct stat*, int);
  before(&n_stat, path, 0);
  return real_fstatat(dir, path, st, flags);
}

int fstatat64(int dir, const char* path, struct stat64* st, int flags) {
  REAL(fstatat64, int, int, const char*, struct stat64*, int);
  before(&n_stat, path, 0);
  return real_fstatat64(dir, path, st, flags);
}

int statx(int dir, const char* path, int flags, unsigned int mask, struct statx* st) {
  REAL(statx, int, int, const char*, int, unsigned int, struct statx*);
  before(&n_stat, path, 0);
  return real_statx(dir, path, flags, mask, st);
}

int rename(const char* from, const char* to) {
  REAL(rename, int, const char*, const char*);
  before(&n_rename, from, 0);
  return real_rename(from, to);
}

int unlink(const char* path) {
  REAL(unlink, int, const char*);
  before(&n_unlink, path, 0);
  return real_unlink(path);
}

int mkdir(const char* path, mode_t mode) {
  REAL(mkdir, int, const char*, mode_t);
  before(&n_dir, path, 0);
  return real_mkdir(path, mode);
}

DIR* opendir(const char* path) {
  REAL(opendir, DIR*, const char*);
  before(&n_dir, path, 0);
  return real_opendir(path);
}

// The counters so far: opens, matched opens, stats, renames, unlinks, dirs (bench/dist_sim.cc reads them).
void hfbatch_fs_counts(long out[6]) {
  out[0] = atomic_load(&n_open);
  out[1] = atomic_load(&n_match);
  out[2] = atomic_load(&n_stat);
  out[3] = atomic_load(&n_rename);
  out[4] = atomic_load(&n_unlink);
  out[5] = atomic_load(&n_dir);
}

__attribute__((destructor)) static void report(void) {
  const char* file = getenv("HFBATCH_FS_COUNT_FILE");
  if (!file) return;
  const char* rank = getenv("OMPI_COMM_WORLD_RANK");
  char line[320];
  int n = snprintf(line, sizeof(line), "pid=%d rank=%s opens=%ld matched_opens=%ld stats=%ld renames=%ld unlinks=%ld dirs=%ld\n",
                   (int)getpid(), rank ? rank : "-", atomic_load(&n_open), atomic_load(&n_match), atomic_load(&n_stat),
                   atomic_load(&n_rename), atomic_load(&n_unlink), atomic_load(&n_dir));
  REAL(open, int, const char*, int, ...);
  int fd = real_open(file, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  if (write(fd, line, (size_t)n) < 0) { /* nothing to do at exit */ }
  close(fd);
}
