#include "hfbatch/core/execution_context.h"

namespace hfbatch::core {
namespace {
thread_local const ExecutionContext* t_current = nullptr;
}  // namespace

ExecutionContext::ExecutionContext(Options options)
    : options_(options), arena_(options.arena ? std::make_shared<Arena>() : nullptr) {}

ExecutionContext::Scope::Scope(const ExecutionContext& context) : previous_(t_current) { t_current = &context; }
ExecutionContext::Scope::~Scope() { t_current = previous_; }

const ExecutionContext* current_context() { return t_current; }

}  // namespace hfbatch::core
