#include "concord/plugin.hpp"
#include "stamp.hpp"

namespace {

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

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Sender>("stamp", 1, make_sender);
  registrar.add<concord::Receiver>("stamp", 1, make_receiver);
}

}  // namespace

CONCORD_PLUGIN("stamp", "1.0.0", register_factories, {"sender", "stamp", 1},
               {"receiver", "stamp", 1})
