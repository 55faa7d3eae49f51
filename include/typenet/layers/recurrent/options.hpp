// The options every recurrent layer (RNN, LSTM, GRU) takes, and their checks.
//
//   ReturnSequences  output [T, H]: the hidden state at every position (the default);
//                    0 at a sample's padded positions (Pass::lengths)
//   LastState        output [H]: each sample's state at its last real position
//                    (PyTorch's h_n), for sequence classification
//   Stateful         truncated BPTT: the state at the end of one call is where the
//                    next call starts, per sample (Pass::state; Model::reset_state()
//                    zeroes it, fit does at every epoch start). The gradient stops at
//                    the boundary: the state a call starts from is a constant to it.
//
// Anything else is an error naming the layer and the option (core/options.hpp), and
// so is ReturnSequences together with LastState.
#pragma once
#include <string>
#include <type_traits>

#include "typenet/core/options.hpp"

namespace tn {

struct ReturnSequences {
    static std::string name() { return "ReturnSequences"; }
};
struct LastState {
    static std::string name() { return "LastState"; }
};
struct Stateful {
    static std::string name() { return "Stateful"; }
};

// "Layer was given options A and B, which contradict each other."
template <class Layer, class A, class B, bool Ok = false>
struct ConflictingOptions {
    static constexpr bool ok = Ok;
};

namespace detail {

template <class Option>
struct is_recurrent_option
    : std::bool_constant<std::is_same_v<Option, ReturnSequences> || std::is_same_v<Option, LastState> ||
                         std::is_same_v<Option, Stateful>> {};

// An option's name for messages; a stray type without one (an error already) is "?".
template <class Option>
std::string option_name() {
    if constexpr (requires { Option::name(); }) return Option::name();
    else return "?";
}

// What a recurrent spec's options say, read once.
template <class... Options>
struct RecurrentOptions {
    static constexpr bool last_state = (std::is_same_v<Options, LastState> || ...);
    static constexpr bool return_sequences = !last_state;
    static constexpr bool stateful = (std::is_same_v<Options, Stateful> || ...);
    static constexpr bool conflicting = last_state && (std::is_same_v<Options, ReturnSequences> || ...);
    using unknown_option = first_unknown_option_t<is_recurrent_option, Options...>;
    // ", LastState, Stateful": the options as written, for name().
    static std::string names() { return (std::string() + ... + (", " + option_name<Options>())); }
};

}  // namespace detail
}  // namespace tn
