#include "concord/pipeline/data_source.hpp"

#include <algorithm>

#include "concord/error.hpp"
#include "concord/formats/dair_v2x.hpp"
#include "concord/formats/opv2v_dataset.hpp"

namespace concord::pipeline {

namespace {

/// An OPV2V split: the dataset and its loader, owned together.
class Opv2vSource final : public loader::SampleSource {
 public:
  Opv2vSource(const DataSpec& data, const std::string& split, const loader::LoaderOptions& options)
      : dataset_(data.root, split), loader_(dataset_, options) {}
  std::size_t size() const override { return loader_.size(); }
  loader::CollabSample get(std::size_t index) const override { return loader_.get(index); }
  formats::Range6 gt_range() const override { return loader_.gt_range(); }

 private:
  formats::Opv2vDataset dataset_;
  loader::CollabLoader loader_;
};

/// A DAIR-V2X-C split: the dataset and its loader, owned together; samples cut
/// to max_agents agents.
class DairSource final : public loader::SampleSource {
 public:
  DairSource(const DataSpec& data, const std::string& split, const loader::LoaderOptions& options)
      : max_agents_(static_cast<std::size_t>(std::max(options.max_agents, 1))),
        dataset_(data.root),
        loader_(dataset_, dair_loader_options(options), dair_split(split)) {}
  std::size_t size() const override { return loader_.size(); }
  loader::CollabSample get(std::size_t index) const override {
    loader::CollabSample s = loader_.get(index);
    if (s.agents.size() > max_agents_) s.agents.resize(max_agents_);
    return s;
  }
  formats::Range6 gt_range() const override { return loader_.gt_range(); }

 private:
  std::size_t max_agents_;
  formats::DairV2xDataset dataset_;
  loader::DairV2xLoader loader_;
};

}  // namespace

loader::DairSplit dair_split(const std::string& split) {
  if (split == "train") return loader::DairSplit::kTrain;
  if (split == "validate") return loader::DairSplit::kValidate;
  if (split == "test") return loader::DairSplit::kTest;
  if (split == "all") return loader::DairSplit::kAll;
  throw ConfigError("data.format = \"dair-v2x-c\": split \"" + split +
                    "\": expected train, validate, test or all (data.train_split, "
                    "data.val_split, data.test_split, --split)");
}

loader::DairLoaderOptions dair_loader_options(const loader::LoaderOptions& options) {
  loader::DairLoaderOptions o;
  o.points = options.lidar_beams > 0;
  o.cameras = options.cameras;
  o.comm_range_m = options.comm_range_m;
  o.gt_range = options.gt_range;
  o.pose_noise_xy_m = options.pose_noise_xy_m;
  o.pose_noise_yaw_deg = options.pose_noise_yaw_deg;
  o.seed = options.seed;
  return o;
}

std::unique_ptr<loader::SampleSource> open_samples(const DataSpec& data, const std::string& split,
                                                   const loader::LoaderOptions& options) {
  if (data.format == DataFormat::kDairV2xC)
    return std::make_unique<DairSource>(data, split, options);
  return std::make_unique<Opv2vSource>(data, split, options);
}

}  // namespace concord::pipeline
