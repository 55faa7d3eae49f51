// merge_lora(adapted, plain): a LoRA-fine-tuned network folded back into the network
// without adapters, for inference at the plain network's cost.
//
//   Model<GPT<4, 128, 4, 128, 83, BlockDropout<0>, LoRA<8, 16>>> tuned;   // trained adapters
//   Model<GPT<4, 128, 4, 128, 83, BlockDropout<0>>> merged;
//   merge_lora(tuned, merged);      // merged's in_proj_weight = W + (16 / 8) B A
//
// Both networks name their shared tensors alike (LoRA only adds X_lora_A and X_lora_B
// beside the matrix X_weight it adapts), so the merge is by name: every tensor of
// `plain` is copied from the tensor of that name in `adapted` (a missing name or
// another shape is an error naming it), then each adapted matrix gets its update
// W += (Alpha / Rank) B A. The scale is read from the adapted network's type: it
// must hold one LoRA<Rank, Alpha> (GPT's BlockOptions give every block the same one).
// The merged network computes what the adapted one did, up to float rounding
// (tests/unit/lora_test.cpp checks it).
#pragma once
#include <algorithm>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/shape.hpp"
#include "typenet/kernels/gemm.hpp"
#include "typenet/layers/lora.hpp"
#include "typenet/model.hpp"

namespace tn {

namespace detail {

// The first LoRA<R, A> among a network type's template arguments, searched through
// every container (Sequential<...>, Repeat<N, ...>, TiedEmbedding<V, D, ...>, a
// layer's options), or void.
template <class... T> struct first_non_void { using type = void; };
template <class First, class... Rest>
struct first_non_void<First, Rest...>
    : std::conditional_t<std::is_void_v<First>, first_non_void<Rest...>, std::type_identity<First>> {};

template <class T> struct lora_in { using type = void; };
template <std::size_t R, std::size_t A> struct lora_in<LoRA<R, A>> { using type = LoRA<R, A>; };
template <template <class...> class C, class... X>
struct lora_in<C<X...>> : first_non_void<typename lora_in<X>::type...> {};
template <template <std::size_t, class...> class C, std::size_t N, class... X>
struct lora_in<C<N, X...>> : first_non_void<typename lora_in<X>::type...> {};
template <template <std::size_t, std::size_t, class...> class C, std::size_t N, std::size_t M, class... X>
struct lora_in<C<N, M, X...>> : first_non_void<typename lora_in<X>::type...> {};

}  // namespace detail

template <class Net>
using lora_of_network_t = typename detail::lora_in<Net>::type;

// Returns how many matrices took an update.
template <class Adapted, class Plain>
std::size_t merge_lora(Model<Adapted>& adapted, Model<Plain>& plain) {
    using Adapter = lora_of_network_t<Adapted>;
    static_assert(!std::is_void_v<Adapter>, "merge_lora(adapted, plain): the first network has no LoRA<Rank, Alpha>");
    static_assert(std::is_void_v<lora_of_network_t<Plain>>,
                  "merge_lora(adapted, plain): the second network is the one without adapters");
    std::map<std::string, NamedTensor> from;
    for (const NamedTensor& t : adapted.named_parameters()) from.emplace(t.name, t);
    for (const NamedTensor& t : adapted.named_buffers()) from.emplace(t.name, t);
    const auto copy_into = [&](const NamedTensor& to) {
        const auto it = from.find(to.name);
        if (it == from.end())
            throw std::invalid_argument("merge_lora: the adapted network has no tensor '" + to.name +
                                        "' (the two networks must be the same but for LoRA)");
        if (it->second.shape != to.shape)
            throw std::invalid_argument("merge_lora: '" + to.name + "' is " + shape_string(it->second.shape) +
                                        " in the adapted network and " + shape_string(to.shape) + " in the plain one");
        std::copy(it->second.values.begin(), it->second.values.end(), to.values.begin());
    };
    std::map<std::string, NamedTensor> to;
    for (const NamedTensor& t : plain.named_parameters()) {
        copy_into(t);
        to.emplace(t.name, t);
    }
    for (const NamedTensor& t : plain.named_buffers()) copy_into(t);

    std::size_t merged = 0;
    for (const auto& [name, a] : from) {
        if (!name.ends_with("_lora_A")) continue;
        const std::string stem = name.substr(0, name.size() - 7);  // "0.1.2.self_attn.in_proj"
        const NamedTensor& b = from.at(stem + "_lora_B");
        const auto w = to.find(stem + "_weight");
        if (w == to.end()) throw std::invalid_argument("merge_lora: no '" + stem + "_weight' for the adapter " + name);
        const std::size_t rank = a.shape[0], in = a.shape[1], out = b.shape[0];
        // W [out, in] += scale B [out, rank] A [rank, in]
        std::vector<float> scaled(b.values.begin(), b.values.end());
        for (float& v : scaled) v *= Adapter::scale;
        kernels::gemm(kernels::Transpose::No, kernels::Transpose::No, out, in, rank, scaled.data(), rank,
                      a.values.data(), in, 1.f, w->second.values.data(), in);
        ++merged;
    }
    return merged;
}

}  // namespace tn
