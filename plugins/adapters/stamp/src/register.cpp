#include "concord/plugin.hpp"
#include "stamp.hpp"

namespace {

using concord::plugins::stamp::StampAlignmentLoss;
using concord::plugins::stamp::StampLossWeights;
using concord::plugins::stamp::StampOptions;
using concord::plugins::stamp::StampReceiver;
using concord::plugins::stamp::StampSender;

/// The plugin.toml parameters (every key present: the host fills defaults) as options.
StampOptions options_from(const concord::ParamSet& p) {
  StampOptions o;
  o.local_channels = p.get_int("local_channels");
  o.local_cell_size_m = p.get_float("local_cell_size_m");
  o.protocol_channels = p.get_int("protocol_channels");
  o.protocol_cell_size_m = p.get_float("protocol_cell_size_m");
  o.hidden_channels = p.get_int("hidden_channels");
  o.blocks = p.get_int("blocks");
  return o;
}

/// Throws c10::Error for inconsistent values (see StampSender / StampReceiver).
std::shared_ptr<concord::Sender> make_sender(const concord::ParamSet& p) {
  return std::make_shared<StampSender>(options_from(p));
}

std::shared_ptr<concord::Receiver> make_receiver(const concord::ParamSet& p) {
  return std::make_shared<StampReceiver>(options_from(p));
}

/// The 9/1/10 weights from the "alignment"/"stamp" parameters.
std::shared_ptr<concord::AlignmentLoss> make_alignment(const concord::ParamSet& p) {
  StampLossWeights w;
  w.protocol_to_local = p.get_float("protocol_to_local");
  w.cycle = p.get_float("cycle");
  w.local_to_protocol = p.get_float("local_to_protocol");
  return std::make_shared<StampAlignmentLoss>(w);
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Sender>("stamp", 1, make_sender);
  registrar.add<concord::Receiver>("stamp", 1, make_receiver);
  registrar.add<concord::AlignmentLoss>("stamp", 1, make_alignment);
}

}  // namespace

CONCORD_PLUGIN("stamp", "1.0.0", register_factories, {"sender", "stamp", 1},
               {"receiver", "stamp", 1}, {"alignment", "stamp", 1})
