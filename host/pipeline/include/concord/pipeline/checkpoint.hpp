#pragma once
/// \file
/// Checkpoints: weights + optimizer state + a TOML record of the plugins
/// (name, version, factory) they belong to. Written atomically (temporary file,
/// then rename), so an interrupted write never corrupts an existing checkpoint.

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <filesystem>
#include <string>
#include <vector>

#include "concord/pipeline/experiment.hpp"

namespace concord::pipeline {

/// What is recorded beside the weights.
struct CheckpointMeta {
  int epoch = 0;               ///< last finished epoch (1-based)
  double val_loss = 0.0;       ///< validation loss after that epoch
  double best_val_loss = 0.0;  ///< best so far
  int best_epoch = 0;
  /// Validation AP@0.5 (intermediate fusion) after that epoch, and the best so far;
  /// -1 when the run selects on the validation loss ([train] select = "val_loss").
  double val_ap = -1.0;
  double best_val_ap = -1.0;
  std::vector<ComponentSpec> components;  ///< plugins whose weights are stored
};

/// Writes `dir/name.pt` (model), `dir/name.optim.pt` (optimizer, if given) and
/// `dir/name.toml` (meta), each through a temporary file and rename. With
/// `weight_bits` = 8 or 4, conv/linear weights are stored weight-only quantized
/// (weight_quant.hpp; the record says `weight_format = "int8"|"int4"`), the rest
/// as they are. Throws concord::Error naming the file on I/O failure or other
/// `weight_bits`.
void save_checkpoint(const std::filesystem::path& dir, const std::string& name,
                     torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const CheckpointMeta& meta, int weight_bits = 0);

/// Loads `dir/name.*` into `model` (and `optimizer` when given). Weights stored
/// in fp16/bf16 or quantized to int8/int4 (the compact Step-0 checkpoints shipped
/// under models/, see `concord export`) are widened/dequantized to fp32. Refuses, with
/// concord::Error naming the file, a checkpoint whose recorded plugins differ from `expected`
/// (name, version, factory) or whose files are missing/corrupt.
CheckpointMeta load_checkpoint(const std::filesystem::path& dir, const std::string& name,
                               torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                               const std::vector<ComponentSpec>& expected);

/// Casts every floating-point parameter and buffer of `model` (recursively) to
/// `dtype` in place; integer buffers (BatchNorm's num_batches_tracked) are kept.
/// Unlike Module::to(dtype), which would convert those too.
void cast_floating(torch::nn::Module& model, c10::ScalarType dtype);

/// True when dir/name.pt and dir/name.toml both exist.
bool checkpoint_exists(const std::filesystem::path& dir, const std::string& name);

}  // namespace concord::pipeline
