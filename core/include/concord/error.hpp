#pragma once
/// \file
/// Concord's exception hierarchy. Every message is one line naming the file,
/// key or value at fault and what was expected.

#include <stdexcept>
#include <string>

#include "concord/export.hpp"

namespace concord {

/// Base of all Concord errors.
class CONCORD_CORE_API Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;
};

/// A plugin library could not be loaded or was refused (bad file, missing
/// entry points, ABI or fingerprint mismatch, registration failure).
class CONCORD_CORE_API PluginLoadError : public Error {
 public:
  using Error::Error;
  ~PluginLoadError() override;
};

/// A (kind, name, version) lookup failed, a factory threw, or a duplicate was registered.
class CONCORD_CORE_API RegistryError : public Error {
 public:
  using Error::Error;
  ~RegistryError() override;
};

/// A config or manifest file is malformed or fails validation. Messages start
/// with "file:line:column:" when the position is known.
class CONCORD_CORE_API ConfigError : public Error {
 public:
  using Error::Error;
  ~ConfigError() override;
};

}  // namespace concord
