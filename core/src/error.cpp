#include "concord/error.hpp"

namespace concord {

// Out-of-line destructors: the key functions that pin vtables and type_info in concord_core.
Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;
PluginLoadError::~PluginLoadError() = default;
RegistryError::~RegistryError() = default;
ConfigError::~ConfigError() = default;

}  // namespace concord
