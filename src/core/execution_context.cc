#include "hfbatch/core/execution_context.h"

#include "hfbatch/core/error.h"

namespace hfbatch::core {
namespace {
thread_local const ExecutionContext* t_current = nullptr;
}  // namespace

ExecutionContext::ExecutionContext(Options options)
    : options_(options), arena_(options.arena ? std::make_shared<Arena>() : nullptr) {
  check(options.device == Device::cpu, "ExecutionContext: a cuda context is made by cuda::make_context");
}

ExecutionContext::ExecutionContext(Options options, std::shared_ptr<DeviceRuntime> runtime)
    : options_(options), arena_(options.arena ? std::make_shared<Arena>() : nullptr), runtime_(std::move(runtime)) {
  check(runtime_ != nullptr, "ExecutionContext: a device context needs its runtime");
}

ExecutionContext::Scope::Scope(const ExecutionContext& context) : previous_(t_current) { t_current = &context; }
ExecutionContext::Scope::~Scope() { t_current = previous_; }

const ExecutionContext* current_context() { return t_current; }

}  // namespace hfbatch::core
