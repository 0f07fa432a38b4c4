#include "concord/params.hpp"

#include <cmath>
#include <sstream>

#include "concord/error.hpp"

namespace concord {

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::kInt:
      return "int";
    case ParamType::kFloat:
      return "float";
    case ParamType::kBool:
      return "bool";
    case ParamType::kString:
      return "string";
    case ParamType::kIntList:
      return "int_list";
    case ParamType::kFloatList:
      return "float_list";
  }
  return "?";
}

std::optional<ParamType> param_type_from_string(const std::string& name) {
  for (ParamType t : {ParamType::kInt, ParamType::kFloat, ParamType::kBool, ParamType::kString,
                      ParamType::kIntList, ParamType::kFloatList}) {
    if (name == to_string(t)) return t;
  }
  return std::nullopt;
}

namespace {

std::string format_double(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  std::string s = os.str();
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

template <class T, class F>
std::string join_list(const std::vector<T>& list, F format) {
  std::string s = "[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) s += ", ";
    s += format(list[i]);
  }
  return s + "]";
}

const char* value_type_name(const ParamValue& value) {
  return to_string(static_cast<ParamType>(value.index()));
}

std::string range_text(const ParamSpec& spec) {
  if (!spec.min && !spec.max) return "";
  std::string lo = spec.min ? format_double(*spec.min) : "-inf";
  std::string hi = spec.max ? format_double(*spec.max) : "inf";
  return " in [" + lo + ", " + hi + "]";
}

bool in_range(const ParamSpec& spec, double v) {
  if (std::isnan(v)) return false;
  if (spec.min && v < *spec.min) return false;
  if (spec.max && v > *spec.max) return false;
  return true;
}

}  // namespace

std::string to_string(const ParamValue& value) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return format_double(v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return "\"" + v + "\""; }
    std::string operator()(const std::vector<int64_t>& v) const {
      return join_list(v, [](int64_t x) { return std::to_string(x); });
    }
    std::string operator()(const std::vector<double>& v) const {
      return join_list(v, [](double x) { return format_double(x); });
    }
  };
  return std::visit(Visitor{}, value);
}

std::string check_value(const ParamSpec& spec, const ParamValue& value) {
  const std::string expected = std::string("expected ") + to_string(spec.type) + range_text(spec);
  ParamValue v = value;
  // An int is accepted where a float is declared (TOML `1` for 1.0), element-wise for lists.
  if (spec.type == ParamType::kFloat && std::holds_alternative<int64_t>(v)) {
    v = static_cast<double>(std::get<int64_t>(v));
  }
  if (spec.type == ParamType::kFloatList && std::holds_alternative<std::vector<int64_t>>(v)) {
    const auto& ints = std::get<std::vector<int64_t>>(v);
    v = std::vector<double>(ints.begin(), ints.end());
  }
  if (static_cast<ParamType>(v.index()) != spec.type) {
    return expected + ", got " + value_type_name(value) + " " + to_string(value);
  }
  switch (spec.type) {
    case ParamType::kInt:
      if (!in_range(spec, static_cast<double>(std::get<int64_t>(v)))) {
        return expected + ", got " + to_string(value);
      }
      break;
    case ParamType::kFloat:
      if (!in_range(spec, std::get<double>(v))) return expected + ", got " + to_string(value);
      break;
    case ParamType::kIntList:
      for (int64_t x : std::get<std::vector<int64_t>>(v)) {
        if (!in_range(spec, static_cast<double>(x))) {
          return expected + " elements, got " + std::to_string(x);
        }
      }
      break;
    case ParamType::kFloatList:
      for (double x : std::get<std::vector<double>>(v)) {
        if (!in_range(spec, x)) return expected + " elements, got " + format_double(x);
      }
      break;
    case ParamType::kString:
      if (!spec.choices.empty()) {
        const auto& s = std::get<std::string>(v);
        bool ok = false;
        std::string list;
        for (const auto& c : spec.choices) {
          ok = ok || c == s;
          list += (list.empty() ? "" : "|") + c;
        }
        if (!ok) return "expected one of " + list + ", got \"" + s + "\"";
      }
      break;
    case ParamType::kBool:
      break;
  }
  return "";
}

void ParamSet::set(const std::string& key, ParamValue value) {
  values_[key] = std::move(value);
}

bool ParamSet::contains(const std::string& key) const {
  return values_.count(key) != 0;
}

const ParamValue& ParamSet::at(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw ConfigError("parameter '" + key + "' is not set");
  return it->second;
}

namespace {
template <class T>
const T& get_as(const ParamValue& v, const std::string& key, const char* type) {
  if (const T* p = std::get_if<T>(&v)) return *p;
  throw ConfigError("parameter '" + key + "': expected " + type + ", got " + value_type_name(v) +
                    " " + to_string(v));
}
}  // namespace

int64_t ParamSet::get_int(const std::string& key) const {
  return get_as<int64_t>(at(key), key, "int");
}

double ParamSet::get_float(const std::string& key) const {
  const ParamValue& v = at(key);
  if (const int64_t* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return get_as<double>(v, key, "float");
}

bool ParamSet::get_bool(const std::string& key) const {
  return get_as<bool>(at(key), key, "bool");
}

const std::string& ParamSet::get_string(const std::string& key) const {
  return get_as<std::string>(at(key), key, "string");
}

const std::vector<int64_t>& ParamSet::get_int_list(const std::string& key) const {
  return get_as<std::vector<int64_t>>(at(key), key, "int_list");
}

std::vector<double> ParamSet::get_float_list(const std::string& key) const {
  const ParamValue& v = at(key);
  if (const auto* ints = std::get_if<std::vector<int64_t>>(&v)) {
    return std::vector<double>(ints->begin(), ints->end());
  }
  return get_as<std::vector<double>>(v, key, "float_list");
}

ParamSet defaults_of(const std::vector<ParamSpec>& specs, const std::string& where) {
  ParamSet set;
  for (const auto& spec : specs) {
    if (!spec.default_value) {
      throw ConfigError(where + ": required parameter '" + spec.key + "' (" + to_string(spec.type) +
                        ") is missing");
    }
    set.set(spec.key, *spec.default_value);
  }
  return set;
}

}  // namespace concord
