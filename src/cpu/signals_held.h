// Keeps asynchronous signals (SIGTERM, SIGINT, profiler ticks, ...) pending on the calling thread while
// oneDNN's generated GEMM kernels run. oneDNN 2.x's f32 / int8 GEMM kernels point rsp at a heap workspace
// while they run (uxlfoundation/oneDNN#4845, fixed by PR #4855 in 3.11.2): a signal handled on such a
// thread writes its frame over the heap, and the next malloc aborts ("corrupted size vs. prev_size",
// "free(): invalid pointer") — one SIGTERM in four under load before this guard. Held signals are delivered
// to a thread that is not in a kernel, or to this one when the guard ends.
//
// Threads created while a guard is alive inherit the blocked mask: OpenMP's workers, started by the first
// parallel region of each calling thread (a GEMM or cpu::parallel_for, both guarded), never take a signal.
#pragma once
#include <signal.h>

namespace hfbatch::cpu {

class SignalsHeld {
 public:
  SignalsHeld();  // nested guards on one thread cost nothing
  ~SignalsHeld();
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  bool outermost_;
  sigset_t previous_;
};

}  // namespace hfbatch::cpu
