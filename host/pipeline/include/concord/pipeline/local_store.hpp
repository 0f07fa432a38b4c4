#pragma once
/// \file
/// An on-disk store of frozen local representations (the Step-0 encoders' BEV
/// features), shared by every process that reads the same frames with the same
/// frozen checkpoint. The stages of a run (negotiation, NegoCollab-P, the joins, the
/// baselines and ablations, every evaluation) encode the same train / validation /
/// test frames with the same frozen m0-m4 encoders; local_cache.hpp keeps them
/// within one process, this store across processes.
///
/// A store belongs to one (Step-0 checkpoint, dataset): its folder is named by the
/// SHA-256 of the checkpoint's weights file and of the dataset's format and path
/// (local_store_dir), so a retrained checkpoint or another dataset never reads
/// stale features. Inside, a file per (encode tag, scenario, timestamp, agent id),
/// which names one agent-frame of a dataset (OPV2V scenario folders are unique
/// across splits, DAIR-V2X-C frame ids are unique);
/// the tag (encode_tag) separates fp32 from bf16 / channels_last encodings, whose
/// values differ in rounding.

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "concord/pipeline/experiment.hpp"

namespace concord::pipeline {

class CollabDetector;

/// The folder under which the CLI keeps stores (empty = no stores): by default
/// `<runs>/locals` beside the run directories (`--local-store`). Process-wide.
std::filesystem::path local_store_root();
/// Sets local_store_root() (empty turns stores off).
void set_local_store_root(const std::filesystem::path& root);

/// One file of a store: magic "CCLR", format version 1, the dtype
/// (c10::ScalarType), the rank, the sizes and strides (int64, elements), the
/// byte count, then the tensor's bytes in memory order (a dense tensor: any
/// layout, e.g. channels_last, is kept). Written to a temporary file in the same
/// folder, then renamed, so a reader sees either nothing or a whole file.
/// Throws concord::Error naming the file on I/O failure or a tensor that is not
/// dense on the CPU.
void write_local_file(const std::filesystem::path& file, const at::Tensor& value);

/// The tensor of a write_local_file file, or nullopt when the file is absent,
/// truncated, of another format or otherwise unreadable (the caller recomputes
/// and overwrites it). Never throws for a bad file.
std::optional<at::Tensor> read_local_file(const std::filesystem::path& file);

/// The local representations of one frozen checkpoint on one dataset.
/// Processes may share a store: concurrent writers of the same entry write the
/// same bytes, and each write is atomic.
class LocalStore {
 public:
  /// `dir` is created on the first put.
  explicit LocalStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }

  /// dir/<tag>/<scenario>/<timestamp>_<agent id>.bin
  std::filesystem::path file(const std::string& tag, const std::string& scenario,
                             const std::string& timestamp, const std::string& agent_id) const;

  /// Whether the entry's file exists (it may still be unreadable; get() tells).
  bool contains(const std::string& tag, const std::string& scenario, const std::string& timestamp,
                const std::string& agent_id) const;

  /// The stored tensor (read_local_file), or `compute()`'s result, then stored.
  /// Exceptions of `compute` propagate and store nothing; a failed write is
  /// logged as a warning and the computed value returned.
  at::Tensor get_or_compute(const std::string& tag, const std::string& scenario,
                            const std::string& timestamp, const std::string& agent_id,
                            const std::function<at::Tensor()>& compute);

  std::size_t hits() const { return hits_; }      ///< entries read from disk
  std::size_t misses() const { return misses_; }  ///< entries computed (and stored)

 private:
  std::filesystem::path dir_;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

/// The store folder of a Step-0 checkpoint on a dataset:
/// `root/<step0 name>-<16 hex digits of SHA-256(weights file bytes, data format,
/// absolute data root, names and modification times of the root's entries)>`: a
/// dataset simulated again at the same path gets new split folders, hence a new
/// store (files rewritten in place inside old folders are not noticed). Throws concord::Error naming the weights file when it
/// cannot be read.
std::filesystem::path local_store_dir(const std::filesystem::path& root,
                                      const std::string& step0_name,
                                      const std::filesystem::path& weights_file,
                                      const DataSpec& data);

/// What makes a detector's encodings differ in their last bits: "fp32" or
/// "bf16" (CollabDetector::precision), with "-cl" when its convolution weights
/// are channels_last.
std::string encode_tag(CollabDetector& detector);

}  // namespace concord::pipeline
