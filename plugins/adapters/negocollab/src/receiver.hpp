#pragma once
/// \file
/// NegoCollab receiver (official `ComminPub.receive` / `convert_by_ego`;
/// reference/negocollab-official-code.md §1.3; paper eq. 3-4): CBAM prompt generator on
/// the ego prompt -> cross-domain converter (query = received message, key/value = prompt)
/// -> ConvNeXt recombiner -> ResizeNet back to the ego's local space.

#include <cstdint>
#include <utility>

#include "cbam.hpp"
#include "concord/modules/receiver.hpp"
#include "convnext.hpp"
#include "cross_domain_converter.hpp"
#include "resize_net.hpp"

namespace concord::plugins::negocollab {

/// Receiver parameters (plugin.toml factory "receiver"/"negocollab"); the local_* values
/// describe the ego's own local feature space.
struct ReceiverOptions {
  int64_t local_channels = 64;
  double local_cell_size_m = 0.8;
  int64_t common_channels = 64;
  double common_cell_size_m = 0.8;
  int64_t recombiner_blocks = 2;
  int64_t window = 8;
  int64_t heads = 4;
};

/// NegoCollab receiver. Trainable parameters with the defaults: 120162 (see the test).
///
/// Departure from the official code: there the ego prompt is warped into each sender's
/// frame and the converter runs in that frame; here the messages arrive already warped
/// into the ego frame, so query and prompt meet in the ego frame. The official code also
/// records the exact local size during send(); here the local size is derived from the
/// common grid as resized_cells(H_c, common cell, local cell), which inverts the sender's
/// resize exactly when the local extent is a whole number of common cells.
class NegoCollabReceiver : public Receiver {
 public:
  /// Throws c10::Error on invalid options.
  explicit NegoCollabReceiver(const ReceiverOptions& options);
  /// common: [N, common_channels, H_c, W_c] float32 messages in the ego frame;
  /// ego_local: [1, common_channels, H_c, W_c] the ego's Sender::local_prompt.
  /// Returns [N, local_channels, H_l, W_l] float32, ego frame (N = 0 gives an empty
  /// tensor). Throws c10::Error on other shapes.
  at::Tensor forward(const at::Tensor& common, const at::Tensor& ego_local) override;
  /// The local grid size for a common grid of h x w cells.
  std::pair<int64_t, int64_t> local_size(int64_t h, int64_t w) const;
  const ReceiverOptions& options() const { return options_; }

 private:
  ReceiverOptions options_;
  CbamBlock prompt_generator_{nullptr};
  CrossDomainConverter converter_{nullptr};
  ConvNeXt recombiner_{nullptr};
  ResizeNet unify2local_{nullptr};
};

}  // namespace concord::plugins::negocollab
