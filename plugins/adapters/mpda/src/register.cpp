#include "concord/plugin.hpp"
#include "mpda.hpp"
#include "mpda_alignment.hpp"

namespace {

using concord::plugins::mpda::MpdaAlignmentLoss;
using concord::plugins::mpda::MpdaAlignmentOptions;
using concord::plugins::mpda::MpdaOptions;
using concord::plugins::mpda::MpdaReceiver;
using concord::plugins::mpda::MpdaSender;

/// The plugin.toml parameters (every key present: the host fills defaults) as options.
MpdaOptions options_from(const concord::ParamSet& p) {
  MpdaOptions o;
  o.local_channels = p.get_int("local_channels");
  o.local_cell_size_m = p.get_float("local_cell_size_m");
  o.target_channels = p.get_int("target_channels");
  o.target_cell_size_m = p.get_float("target_cell_size_m");
  o.target_space = p.get_string("target_space");
  o.heads = p.get_int("heads");
  o.window = p.get_int("window_size");
  o.mlp_dim = p.get_int("mlp_dim");
  o.dropout = p.get_float("dropout");
  o.residual_blocks = p.get_int("residual_blocks");
  o.cdt_heads = p.get_int("cdt_heads");
  o.cdt_dim_head = p.get_int("cdt_dim_head");
  o.cdt_depth = p.get_int("cdt_depth");
  return o;
}

/// Throws c10::Error for inconsistent values (see MpdaSender / MpdaReceiver).
std::shared_ptr<concord::Sender> make_sender(const concord::ParamSet& p) {
  return std::make_shared<MpdaSender>(options_from(p));
}

std::shared_ptr<concord::Receiver> make_receiver(const concord::ParamSet& p) {
  return std::make_shared<MpdaReceiver>(options_from(p));
}

/// The adversarial objective of MPDA-P from the "alignment"/"mpda" parameters.
std::shared_ptr<concord::AlignmentLoss> make_alignment(const concord::ParamSet& p) {
  MpdaAlignmentOptions o;
  o.classifier.in_channels = p.get_int("channels");
  o.classifier.hidden = p.get_int("hidden");
  o.classifier.lambda = p.get_float("lambda");
  o.weight = p.get_float("weight");
  return std::make_shared<MpdaAlignmentLoss>(o);
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Sender>("mpda", 1, make_sender);
  registrar.add<concord::Receiver>("mpda", 1, make_receiver);
  registrar.add<concord::AlignmentLoss>("mpda", 1, make_alignment);
}

}  // namespace

CONCORD_PLUGIN("mpda", "1.0.0", register_factories, {"sender", "mpda", 1}, {"receiver", "mpda", 1},
               {"alignment", "mpda", 1})
