#pragma once
/// \file
/// Naive sharing (NegoCollab Table 1 "naive" row): no sender/receiver alignment.

#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"

namespace concord::plugins {

/// Sends the local feature as the message: [B, C, H, W] → the same tensor.
class IdentitySender : public Sender {
 public:
  at::Tensor forward(const at::Tensor& local) override;
};

/// Uses the messages as local features. common [N, C, H, W] must match
/// ego_local [1, C, H, W] in C, H and W; throws c10::Error otherwise.
class IdentityReceiver : public Receiver {
 public:
  at::Tensor forward(const at::Tensor& common, const at::Tensor& ego_local) override;
};

}  // namespace concord::plugins
