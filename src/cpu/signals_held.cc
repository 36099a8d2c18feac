#include "cpu/signals_held.h"

#include <pthread.h>

#include <initializer_list>

namespace hfbatch::cpu {

namespace {

thread_local int t_depth = 0;

// Every signal but those raised by the faulting instruction itself (blocking those would hide a crash).
const sigset_t& asynchronous_signals() {
  static const sigset_t set = [] {
    sigset_t s;
    sigfillset(&s);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&s, sig);
    return s;
  }();
  return set;
}

}  // namespace

SignalsHeld::SignalsHeld() : outermost_(t_depth++ == 0) {
  if (outermost_) pthread_sigmask(SIG_BLOCK, &asynchronous_signals(), &previous_);
}

SignalsHeld::~SignalsHeld() {
  --t_depth;
  if (outermost_) pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace hfbatch::cpu
