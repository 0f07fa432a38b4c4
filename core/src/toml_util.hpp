#pragma once
// Internal helpers shared by manifest.cpp and config.cpp; toml++ stays inside core.

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <string>

#include "concord/config.hpp"
#include "concord/error.hpp"
#include "concord/params.hpp"

namespace concord::detail {

/// Parses a TOML file; throws ConfigError "file:line:column: description".
toml::table parse_toml_file(const std::filesystem::path& path);

/// Position of a node in `file`.
SourcePos pos_of(const std::filesystem::path& file, const toml::node& node);

/// Converts a TOML value to a ParamValue: integer, float, boolean, string, or a
/// homogeneous array of integers or of numbers. std::nullopt for anything else
/// (tables, dates, mixed or nested arrays).
std::optional<ParamValue> to_param_value(const toml::node& node);

/// Throws ConfigError "<pos>: <message>".
[[noreturn]] void fail_at(const SourcePos& pos, const std::string& message);

/// Human name of a TOML node's type ("integer", "table", ...).
std::string toml_type_name(const toml::node& node);

}  // namespace concord::detail
