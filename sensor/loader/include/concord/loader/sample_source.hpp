#pragma once
/// \file
/// The dataset-independent face of a loader: an indexed sequence of
/// CollabSamples, so that training, negotiation, adaptation and evaluation run
/// unchanged on OPV2V(-H) (CollabLoader) and DAIR-V2X-C (DairV2xLoader).

#include <cstddef>

#include "concord/formats/box.hpp"
#include "concord/loader/collab_sample.hpp"

namespace concord::loader {

/// An indexed, read-only sequence of collaborative samples (one split of one
/// dataset with fixed loading options). Implementations are deterministic: the
/// same index gives the same sample.
class SampleSource {
 public:
  virtual ~SampleSource() = default;

  /// Number of samples.
  virtual std::size_t size() const = 0;

  /// Sample `index` in [0, size()), ego first, tensors as CollabSample states.
  /// Throws std::out_of_range for a bad index and formats::FormatError (naming
  /// the file) for unreadable data.
  virtual CollabSample get(std::size_t index) const = 0;

  /// The region of the ego frame in which the GT boxes are kept
  /// [xmin, ymin, zmin, xmax, ymax, zmax] (m): evaluation filters the
  /// predictions with the same range.
  virtual formats::Range6 gt_range() const = 0;

 protected:
  SampleSource() = default;
  SampleSource(const SampleSource&) = default;
  SampleSource& operator=(const SampleSource&) = default;
};

}  // namespace concord::loader
