// Private helpers for yaml-cpp based readers/writers.
#pragma once

#include "concord/formats/error.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <limits>
#include <string>
#include <vector>

namespace concord::formats::detail {

/// Parses YAML text, converting yaml-cpp errors into FormatError naming `source`.
inline YAML::Node load_yaml_text(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw FormatError(source, std::string("YAML syntax error: ") + e.what());
  }
}

/// Scalar as double; throws FormatError naming `key` when not a number.
inline double as_double(const YAML::Node& n, const std::string& key, const std::string& source) {
  if (!n || !n.IsScalar()) throw FormatError(source, key + ": expected a number");
  try {
    return n.as<double>();
  } catch (const YAML::Exception&) {
    throw FormatError(source, key + ": expected a number, got '" + n.Scalar() + "'");
  }
}

/// Sequence of exactly N numbers.
template <std::size_t N>
std::array<double, N> as_array(const YAML::Node& n, const std::string& key,
                               const std::string& source) {
  if (!n || !n.IsSequence() || n.size() != N) {
    throw FormatError(source, key + ": expected a list of " + std::to_string(N) + " numbers");
  }
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = as_double(n[i], key, source);
  return out;
}

/// Emitter configured for exact double round trips.
inline void configure_emitter(YAML::Emitter& out) {
  out.SetDoublePrecision(std::numeric_limits<double>::max_digits10);
  out.SetFloatPrecision(std::numeric_limits<float>::max_digits10);
}

}  // namespace concord::formats::detail
