#include "identity.hpp"

#include <c10/util/Exception.h>

namespace concord::plugins {

at::Tensor IdentitySender::forward(const at::Tensor& local) {
  TORCH_CHECK(local.dim() == 4, "identity sender: expected [B, C, H, W], got ", local.sizes());
  return local;
}

at::Tensor IdentityReceiver::forward(const at::Tensor& common, const at::Tensor& ego_local) {
  TORCH_CHECK(common.dim() == 4 && ego_local.dim() == 4,
              "identity receiver: expected 4-d tensors, got ", common.sizes(), " and ",
              ego_local.sizes());
  TORCH_CHECK(common.sizes().slice(1) == ego_local.sizes().slice(1),
              "identity receiver: naive sharing needs identical feature shapes, got message ",
              common.sizes(), " for local ", ego_local.sizes());
  return common;
}

}  // namespace concord::plugins
