#include "concord/device.hpp"

#include <torch/cuda.h>

#include "concord/error.hpp"

namespace concord {

c10::Device parse_device(const std::string& text) {
  if (text == "cpu") return c10::Device(c10::kCPU);
  if (text.rfind("cuda", 0) != 0) {
    throw ConfigError("--device: expected cpu, cuda or cuda:N, got \"" + text + "\"");
  }
  int index = 0;
  if (text.size() > 4) {
    const std::string n = text.substr(5);
    if (text[4] != ':' || n.empty() || n.find_first_not_of("0123456789") != std::string::npos) {
      throw ConfigError("--device: expected cpu, cuda or cuda:N, got \"" + text + "\"");
    }
    index = std::stoi(n);
  }
  if (!torch::cuda::is_available()) {
    throw ConfigError("--device " + text +
                      ": CUDA is not available (this LibTorch has no CUDA or no GPU is visible)");
  }
  const int count = static_cast<int>(torch::cuda::device_count());
  if (index >= count) {
    throw ConfigError("--device " + text + ": only " + std::to_string(count) +
                      " CUDA device(s) visible");
  }
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

}  // namespace concord
