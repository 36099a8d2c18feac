#include "torch_pickle.h"

#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"

namespace hfbatch::hf {
namespace {

struct Value;
using Ref = std::shared_ptr<Value>;

// The few Python values a state dict pickle builds.
struct Value {
  enum class Kind { none, boolean, integer, floating, string, tuple, list, dict, global, storage, tensor } kind;
  int64_t i = 0;
  double f = 0;
  std::string s;             // string; global "module.name"; storage key
  std::string dtype;         // storage / storage-type global
  std::vector<Ref> items;    // tuple, list; dict as key, value, key, value, ...
  PickledTensor tensor;

  Value() = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  // Releases nested values iteratively: a hostile pickle can nest containers millions deep, and the
  // default recursive destruction would overflow the stack.
  ~Value() {
    std::vector<Ref> work = std::move(items);
    while (!work.empty()) {
      Ref x = std::move(work.back());
      work.pop_back();
      if (x.use_count() == 1)
        for (Ref& child : x->items) work.push_back(std::move(child));
    }
  }
};

Ref make(Value::Kind k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  return v;
}

// torch.<X>Storage → stored dtype (safetensors names).
const std::map<std::string, std::string>& storage_types() {
  static const std::map<std::string, std::string> m = {
      {"torch.FloatStorage", "F32"},  {"torch.HalfStorage", "F16"}, {"torch.BFloat16Storage", "BF16"},
      {"torch.DoubleStorage", "F64"}, {"torch.LongStorage", "I64"}, {"torch.IntStorage", "I32"},
      {"torch.ShortStorage", "I16"},  {"torch.CharStorage", "I8"},  {"torch.ByteStorage", "U8"},
      {"torch.BoolStorage", "BOOL"},  {"torch.UntypedStorage", "U8"}};
  return m;
}

const std::set<std::string>& callables() {
  static const std::set<std::string> s = {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                                          "torch._utils._rebuild_parameter",
                                          "torch._utils._rebuild_parameter_with_state"};
  return s;
}

class Unpickler {
 public:
  Unpickler(const uint8_t* b, uint64_t n, std::string where) : b_(b), n_(n), where_(std::move(where)) {}
  Unpickler(const Unpickler&) = delete;
  Unpickler& operator=(const Unpickler&) = delete;
  // A hostile pickle can put a container inside itself (APPEND of a memoized list to that list): a cycle of
  // shared_ptrs that would never be freed. Every value pushed is emptied here, which breaks all cycles;
  // the caller copies what it needs out of the result before the unpickler goes.
  ~Unpickler() {
    for (const std::weak_ptr<Value>& w : pushed_)
      if (Ref v = w.lock()) v->items.clear();
  }

  Ref run() {
    for (;;) {
      const uint64_t at = pos_;
      const uint8_t op = u8();
      switch (op) {
        case 0x80: u8(); break;                 // PROTO
        case 0x95: bytes(8); break;             // FRAME (length; frames are just a read-ahead hint)
        case '.': {                             // STOP
          Ref v = pop();
          return v;
        }
        case '(': marks_.push_back(stack_.size()); break;  // MARK
        case '}': push(make(Value::Kind::dict)); break;
        case ']': push(make(Value::Kind::list)); break;
        case ')': push(make(Value::Kind::tuple)); break;
        case 't': push(collection(Value::Kind::tuple, pop_mark())); break;
        case 'l': push(collection(Value::Kind::list, pop_mark())); break;
        case 'd': {
          auto items = pop_mark();
          if (items.size() % 2) fail("odd number of items for DICT");
          push(collection(Value::Kind::dict, std::move(items)));
          break;
        }
        case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
          std::vector<Ref> items(op - 0x84);
          for (size_t k = items.size(); k-- > 0;) items[k] = pop();
          push(collection(Value::Kind::tuple, std::move(items)));
          break;
        }
        case 'N': push(make(Value::Kind::none)); break;
        case 0x88: case 0x89: {
          Ref v = make(Value::Kind::boolean);
          v->i = op == 0x88;
          push(v);
          break;
        }
        case 'J': push(integer(static_cast<int32_t>(le(4)))); break;  // BININT
        case 'K': push(integer(le(1))); break;                        // BININT1
        case 'M': push(integer(le(2))); break;                        // BININT2
        case 0x8a: {                                                  // LONG1
          const uint64_t len = u8();
          if (len > 8) fail("integer too large (LONG1 of " + std::to_string(len) + " bytes)");
          uint64_t v = len ? le(static_cast<int>(len)) : 0;
          if (len && len < 8 && (v >> (8 * len - 1)) & 1) v |= ~uint64_t{0} << (8 * len);  // sign-extend
          push(integer(static_cast<int64_t>(v)));
          break;
        }
        case 'G': {  // BINFLOAT, big-endian double
          uint64_t bits = 0;
          const uint8_t* p = bytes(8);
          for (int k = 0; k < 8; ++k) bits = bits << 8 | p[k];
          Ref v = make(Value::Kind::floating);
          std::memcpy(&v->f, &bits, 8);
          push(v);
          break;
        }
        case 'X': push(string(le(4))); break;     // BINUNICODE
        case 0x8c: push(string(le(1))); break;    // SHORT_BINUNICODE
        case 0x8d: push(string(le(8))); break;    // BINUNICODE8
        case 'U': push(string(le(1))); break;     // SHORT_BINSTRING
        case 'T': push(string(le(4))); break;     // BINSTRING
        case 'C': push(string(le(1))); break;     // SHORT_BINBYTES (kept as a string; unused by state dicts)
        case 'B': push(string(le(4))); break;     // BINBYTES
        case 'c': {                                // GLOBAL "module\nname\n"
          std::string module = line(), name = line();
          push(global(module + "." + name));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          Ref name = pop(), module = pop();
          if (name->kind != Value::Kind::string || module->kind != Value::Kind::string)
            fail("STACK_GLOBAL needs two strings");
          push(global(module->s + "." + name->s));
          break;
        }
        case 'Q': push(persistent(pop())); break;  // BINPERSID
        case 'R': {                                 // REDUCE
          Ref args = pop(), fn = pop();
          push(reduce(fn, args));
          break;
        }
        case 'b': {  // BUILD: the state of an OrderedDict (its _metadata) or a tensor is not needed
          pop();
          Ref obj = top();
          if (obj->kind != Value::Kind::dict && obj->kind != Value::Kind::tensor) fail("BUILD on an unexpected object");
          break;
        }
        case 's': {  // SETITEM
          Ref v = pop(), k = pop();
          dict_top()->items.insert(dict_top()->items.end(), {k, v});
          break;
        }
        case 'u': {  // SETITEMS
          auto items = pop_mark();
          if (items.size() % 2) fail("odd number of items for SETITEMS");
          Ref d = dict_top();
          d->items.insert(d->items.end(), items.begin(), items.end());
          break;
        }
        case 'a': {  // APPEND
          Ref v = pop();
          list_top()->items.push_back(v);
          break;
        }
        case 'e': {  // APPENDS
          auto items = pop_mark();
          Ref l = list_top();
          l->items.insert(l->items.end(), items.begin(), items.end());
          break;
        }
        case 'q': memo_[le(1)] = top(); break;  // BINPUT
        case 'r': memo_[le(4)] = top(); break;  // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = top(); break;  // MEMOIZE
        case 'h': push(memo(le(1))); break;     // BINGET
        case 'j': push(memo(le(4))); break;     // LONG_BINGET
        case '0': pop(); break;                 // POP
        case '1': pop_mark(); break;            // POP_MARK
        case '2': push(top()); break;           // DUP
        default: {
          static const char* hex = "0123456789abcdef";
          std::string h = {hex[op >> 4], hex[op & 15]};
          fail("refusing pickle opcode 0x" + h + " at byte " + std::to_string(at) +
               " (only the opcodes of a state dict are allowed)");
        }
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(one_line(where_ + ": " + what)); }

  uint8_t u8() { return *bytes(1); }
  const uint8_t* bytes(uint64_t k) {
    if (k > n_ - pos_) fail("truncated pickle (needs " + std::to_string(k) + " bytes at " + std::to_string(pos_) + ")");
    const uint8_t* p = b_ + pos_;
    pos_ += k;
    return p;
  }
  uint64_t le(int k) {
    const uint8_t* p = bytes(k);
    uint64_t v = 0;
    for (int j = k - 1; j >= 0; --j) v = v << 8 | p[j];
    return v;
  }
  std::string line() {
    std::string s;
    for (;;) {
      char c = static_cast<char>(u8());
      if (c == '\n') return s;
      if (s.size() > 256) fail("GLOBAL name too long");
      s += c;
    }
  }

  void push(Ref v) {
    pushed_.push_back(v);
    stack_.push_back(std::move(v));
  }
  Ref pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("stack underflow");
    Ref v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  Ref top() const {
    if (stack_.empty()) fail("stack underflow");
    return stack_.back();
  }
  std::vector<Ref> pop_mark() {
    if (marks_.empty()) fail("no MARK");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<Ref> items(stack_.begin() + m, stack_.end());
    stack_.resize(m);
    return items;
  }
  Ref dict_top() const {
    Ref d = top();
    if (d->kind != Value::Kind::dict) fail("SETITEM(S) on a non-dict");
    return d;
  }
  Ref list_top() const {
    Ref l = top();
    if (l->kind != Value::Kind::list) fail("APPEND(S) on a non-list");
    return l;
  }
  Ref memo(uint64_t k) const {
    auto it = memo_.find(k);
    if (it == memo_.end()) fail("memo key " + std::to_string(k) + " undefined");
    return it->second;
  }

  static Ref collection(Value::Kind k, std::vector<Ref> items) {
    Ref v = make(k);
    v->items = std::move(items);
    return v;
  }
  static Ref integer(int64_t i) {
    Ref v = make(Value::Kind::integer);
    v->i = i;
    return v;
  }
  Ref string(uint64_t len) {
    const uint8_t* p = bytes(len);
    Ref v = make(Value::Kind::string);
    v->s.assign(reinterpret_cast<const char*>(p), len);
    return v;
  }

  // The allow-list, checked when the global is named, long before anything could be called.
  Ref global(const std::string& qualified) const {
    std::string printable;
    for (char c : qualified) printable += (c >= 32 && c < 127) ? c : '?';
    Ref v = make(Value::Kind::global);
    v->s = qualified;
    auto st = storage_types().find(qualified);
    if (st != storage_types().end()) {
      v->dtype = st->second;
    } else if (!callables().count(qualified)) {
      fail("refusing global '" + printable + "' (only state-dict types are allowed)");
    }
    return v;
  }

  // ('storage', <storage type>, key, location, numel) → a storage reference.
  Ref persistent(const Ref& pid) const {
    const auto& t = pid->items;
    if (pid->kind != Value::Kind::tuple || t.size() != 5 || t[0]->kind != Value::Kind::string || t[0]->s != "storage" ||
        t[1]->kind != Value::Kind::global || t[1]->dtype.empty() || t[2]->kind != Value::Kind::string ||
        t[4]->kind != Value::Kind::integer || t[4]->i < 0)
      fail("unexpected persistent id (expected ('storage', <storage type>, key, location, numel))");
    Ref v = make(Value::Kind::storage);
    v->s = t[2]->s;
    v->dtype = t[1]->dtype;
    v->i = t[4]->i;
    return v;
  }

  std::vector<int64_t> int_tuple(const Ref& v, const char* what) const {
    if (v->kind != Value::Kind::tuple && v->kind != Value::Kind::list) fail(std::string(what) + ": expected a tuple");
    std::vector<int64_t> out;
    for (const Ref& x : v->items) {
      if (x->kind != Value::Kind::integer) fail(std::string(what) + ": expected integers");
      out.push_back(x->i);
    }
    return out;
  }

  Ref reduce(const Ref& fn, const Ref& args) const {
    if (fn->kind != Value::Kind::global || !callables().count(fn->s)) fail("REDUCE of a non-callable object");
    if (args->kind != Value::Kind::tuple) fail(fn->s + ": arguments are not a tuple");
    const auto& a = args->items;
    if (fn->s == "collections.OrderedDict") {
      Ref d = make(Value::Kind::dict);
      if (!a.empty()) fail("collections.OrderedDict with arguments");
      return d;
    }
    if (fn->s == "torch._utils._rebuild_tensor_v2") {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      if (a.size() < 6 || a[0]->kind != Value::Kind::storage || a[1]->kind != Value::Kind::integer)
        fail("_rebuild_tensor_v2: unexpected arguments");
      Ref t = make(Value::Kind::tensor);
      t->tensor.storage_key = a[0]->s;
      t->tensor.dtype = a[0]->dtype;
      t->tensor.storage_numel = a[0]->i;
      t->tensor.storage_offset = a[1]->i;
      t->tensor.shape = int_tuple(a[2], "_rebuild_tensor_v2 size");
      t->tensor.strides = int_tuple(a[3], "_rebuild_tensor_v2 stride");
      if (t->tensor.shape.size() != t->tensor.strides.size()) fail("_rebuild_tensor_v2: size and stride differ in rank");
      return t;
    }
    // _rebuild_parameter(data, requires_grad, backward_hooks[, state]): the parameter is its data.
    if (a.empty() || a[0]->kind != Value::Kind::tensor) fail(fn->s + ": expected a tensor");
    return a[0];
  }

  const uint8_t* b_;
  uint64_t n_;
  uint64_t pos_ = 0;
  std::string where_;
  std::vector<Ref> stack_;
  std::vector<size_t> marks_;
  std::map<uint64_t, Ref> memo_;
  std::vector<std::weak_ptr<Value>> pushed_;  // every value pushed, emptied by the destructor
};

}  // namespace

std::vector<PickledTensor> unpickle_state_dict(const uint8_t* bytes, uint64_t size, const std::string& where) {
  Unpickler unpickler(bytes, size, where);  // outlives `root`'s use: its destructor empties every value
  Ref root = unpickler.run();
  if (root->kind != Value::Kind::dict) throw Error(one_line(where + ": not a state dict (the pickle holds no dict)"));
  std::vector<PickledTensor> out;
  for (size_t k = 0; k + 1 < root->items.size(); k += 2) {
    const Ref& key = root->items[k];
    const Ref& value = root->items[k + 1];
    if (key->kind != Value::Kind::string) throw Error(one_line(where + ": state dict key is not a string"));
    if (value->kind != Value::Kind::tensor) continue;
    PickledTensor t = value->tensor;
    t.name = key->s;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace hfbatch::hf
