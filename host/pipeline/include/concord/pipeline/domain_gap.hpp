#pragma once
/// \file
/// The KL domain gap between agents' representations and an alliance's common
/// representation P (the NegoCollab paper's Fig. 4; official definition in
/// reference negocollab-official-code.md §6, `tools/val_distance.py`).

#include <ATen/ATen.h>

#include <filesystem>
#include <string>
#include <vector>

#include "concord/manifest.hpp"
#include "concord/pipeline/experiment.hpp"
#include "concord/registry.hpp"

namespace concord::pipeline {

/// KL gap of `feature` to `reference`, both [B, C, H, W] float32 on one grid:
/// both centre-cropped to `crop_ratio` of H and W (official crop_ratio 0.3), then
/// KLDivLoss(log_softmax(feature over C), reference) with the reference taken
/// as is (not softmaxed, as the official code; it is ≥ 0 after the ReLU of the
/// common representation; entries with reference 0 contribute 0), averaged over
/// H, W, C and B. Throws c10::Error on mismatched shapes, a ratio outside (0, 1]
/// or a negative reference.
double kl_domain_gap(const at::Tensor& feature, const at::Tensor& reference,
                     double crop_ratio = 0.3);

/// One row of the gap table (kl_gap.csv: agent,representation,kl).
struct DomainGapRow {
  std::string agent;           ///< agent type, e.g. "m1"
  std::string representation;  ///< e.g. "negotiated (local)" or "protocol m0 (sent)", no comma
  double kl = 0.0;             ///< mean kl_domain_gap over the agent-frames
};

/// For every member of the alliance in `alliance_dir` (founders and joined types)
/// on `max_samples` samples (0 = all) of the validation split of `spec.data`: the
/// gap of its raw local feature ("<kind> (local)") and of its sender's output
/// ("<kind> (sent)") to P, where P is the frozen negotiator's output over the
/// founders' local features (kind "negotiated"), or the protocol agent's local
/// feature (kind "protocol <agent>"). Encoders come from the members' Step-0
/// runs (spec.alliance.step0 / step0_runs). Throws concord::Error naming the file
/// when the artifact, a Step-0 run or the data is missing.
std::vector<DomainGapRow> measure_domain_gap(const ExperimentSpec& spec, const Registry& registry,
                                             const std::vector<PluginManifest>& manifests,
                                             const std::filesystem::path& alliance_dir,
                                             int64_t max_samples);

/// Writes `rows` to `csv` (header agent,representation,kl), keeping the rows of
/// other representations already in the file (so runs for the negotiated and the
/// protocol alliance share one table); written to a temporary file, then renamed.
/// Throws concord::Error naming the file on I/O failure or a malformed existing file.
void merge_domain_gap_csv(const std::filesystem::path& csv, const std::vector<DomainGapRow>& rows);

}  // namespace concord::pipeline
