#pragma once
/// \file
/// Factory parameters: the spec a plugin publishes in its plugin.toml (key,
/// type, default, range, unit) and the validated values a factory receives.
/// Source: reference/cpp-style-anchors.md §1.8 item 7 (TensorRT field specs,
/// Autoware schemas); values never expose toml++ types across the plugin boundary.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "concord/export.hpp"

namespace concord {

/// Parameter types a spec can declare.
enum class ParamType { kInt, kFloat, kBool, kString, kIntList, kFloatList };

/// "int", "float", "bool", "string", "int_list", "float_list".
CONCORD_CORE_API const char* to_string(ParamType type);
/// Inverse of to_string; std::nullopt for an unknown name.
CONCORD_CORE_API std::optional<ParamType> param_type_from_string(const std::string& name);

/// A parameter value; the alternative matches ParamType's order.
using ParamValue =
    std::variant<int64_t, double, bool, std::string, std::vector<int64_t>, std::vector<double>>;

/// Human-readable value, e.g. `64`, `0.5`, `true`, `"max"`, `[1, 2]`.
CONCORD_CORE_API std::string to_string(const ParamValue& value);

/// One declared parameter of a factory.
struct ParamSpec {
  std::string key;
  ParamType type = ParamType::kInt;
  /// Default used when a config omits the key; no default means the key is required.
  std::optional<ParamValue> default_value;
  /// Inclusive numeric range (ints, floats and their lists, element-wise).
  std::optional<double> min;
  std::optional<double> max;
  /// Allowed values for string parameters; empty = any.
  std::vector<std::string> choices;
  std::string unit;         ///< e.g. "m", "rad", "channels"; empty when unitless
  std::string description;  ///< one line
};

/// Validated parameter values handed to a factory. Every declared key is
/// present (from the config or the spec's default).
class CONCORD_CORE_API ParamSet {
 public:
  ParamSet() = default;
  /// Sets or replaces a value.
  void set(const std::string& key, ParamValue value);
  bool contains(const std::string& key) const;
  /// Typed getters; throw concord::ConfigError naming the key when it is
  /// missing or of another type.
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;  ///< also accepts an int value
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  const std::vector<int64_t>& get_int_list(const std::string& key) const;
  std::vector<double> get_float_list(const std::string& key) const;  ///< also accepts ints
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  const ParamValue& at(const std::string& key) const;
  std::map<std::string, ParamValue> values_;
};

/// Builds the full ParamSet for `specs` from defaults only. Throws
/// concord::ConfigError naming the first required key that has no default.
CONCORD_CORE_API ParamSet defaults_of(const std::vector<ParamSpec>& specs,
                                      const std::string& where);

/// Checks one value against its spec: type and range/choices. Returns an empty
/// string when valid, else what was expected (e.g. "expected int in [1, 4096], got 0").
CONCORD_CORE_API std::string check_value(const ParamSpec& spec, const ParamValue& value);

}  // namespace concord
