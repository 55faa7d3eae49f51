// Candidates<NetA, NetB, NetC>: a compile-time list of architectures searched
// together with the run-time hyperparameters. The architecture's index is one more
// dimension of the search; the objective is a generic lambda that the tuner calls
// with the chosen network as its template argument:
//
//   using Archs = tn::tune::Candidates<MlpSmall, MlpWide, MlpDeep>;
//   tn::tune::Tuner<Archs> tuner{space, tn::tune::RandomSearch{.trials = 20}};
//   tuner.search([&]<class Net>(tn::tune::Trial& t, tn::tune::Budget b) {
//       tn::Model<Net> model{t.seed()};
//       ...
//       return evaluate(model, validation, loss).accuracy;
//   });
//
// The lambda's body is compiled once per candidate (it has to be: each network is a
// different type), and a table of one function pointer per candidate turns the
// run-time index into the call: no recursion over the list, no std::variant of models.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/core/layer.hpp"

namespace tn::tune {

namespace detail {
// "Dense<256> ReLU Dense<10>": the top-level layers of a typenet network, or
// "candidate i" for a type that is not one.
template <class Net>
std::string default_architecture_name(std::size_t index) {
    if constexpr (requires(std::vector<SummaryRow>& rows) { Net::summarize_children(rows, 0); }) {
        std::vector<SummaryRow> rows;
        Net::summarize_children(rows, 0);
        std::string name;
        for (const auto& r : rows) {
            if (r.depth != 0) continue;
            if (!name.empty()) name += ' ';
            name += r.name;
        }
        if (!name.empty()) return name;
    }
    return "candidate " + std::to_string(index + 1);
}

template <class T, class...>
struct first_of {
    using type = T;
};

template <class Net, class R, class F, class... Args>
R call_with(F& f, Args&... args) {
    return f.template operator()<Net>(args...);
}
}  // namespace detail

template <class... Nets>
struct Candidates {
    static constexpr std::size_t size = sizeof...(Nets);

    static std::vector<std::string> names() {
        [[maybe_unused]] std::size_t i = 0;
        return {detail::default_architecture_name<Nets>(i++)...};
    }

    // Whether f can be called as f.template operator()<Net>(args...) for every candidate.
    template <class F, class... Args>
    static constexpr bool callable_with = (requires(F& f, Args&... args) { f.template operator()<Nets>(args...); } && ...);

    // f.template operator()<Net_i>(args...), for the i-th candidate Net_i.
    template <class F, class... Args>
    static decltype(auto) visit(std::size_t i, F& f, Args&... args) {
        static_assert(size > 0, "Candidates<>: no architecture to visit");
        using First = typename detail::first_of<Nets...>::type;
        using R = decltype(f.template operator()<First>(args...));
        using Call = R (*)(F&, Args&...);
        static constexpr Call table[] = {&detail::call_with<Nets, R, F, Args...>...};
        if (i >= size)
            throw std::out_of_range("Candidates: architecture " + std::to_string(i) + " of " + std::to_string(size));
        return table[i](f, args...);
    }
};

}  // namespace tn::tune
