// Convolution and pooling written as plainly as possible, in double: the oracles the
// CNN layers are tested against. Indices follow the definitions, nothing else.
#pragma once
#include <cstddef>
#include <limits>
#include <vector>

namespace tn::testing {

struct ConvSpec {
    std::size_t channels, height, width, filters, kh, kw, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
    std::size_t out_h() const { return (height + 2 * ph - dh * (kh - 1) - 1) / sh + 1; }
    std::size_t out_w() const { return (width + 2 * pw - dw * (kw - 1) - 1) / sw + 1; }
    // x at (n, c, iy, ix) with iy, ix counted in the padded image; 0 on the padding.
    double at(const std::vector<float>& x, std::size_t n, std::size_t c, std::size_t py, std::size_t px) const {
        if (py < ph || px < pw || py - ph >= height || px - pw >= width) return 0;
        return x[((n * channels + c) * height + (py - ph)) * width + (px - pw)];
    }
};

// y [batch, F, OH, OW] from x [batch, C, H, W], weight [F, C, kh, kw], bias [F] (may be empty).
inline std::vector<double> naive_conv(const ConvSpec& s, std::size_t batch, const std::vector<float>& x,
                                      const float* weight, const float* bias) {
    const std::size_t oh = s.out_h(), ow = s.out_w();
    std::vector<double> y(batch * s.filters * oh * ow);
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t f = 0; f < s.filters; ++f)
            for (std::size_t oy = 0; oy < oh; ++oy)
                for (std::size_t ox = 0; ox < ow; ++ox) {
                    double sum = bias ? bias[f] : 0.0;
                    for (std::size_t c = 0; c < s.channels; ++c)
                        for (std::size_t i = 0; i < s.kh; ++i)
                            for (std::size_t j = 0; j < s.kw; ++j)
                                sum += weight[((f * s.channels + c) * s.kh + i) * s.kw + j] *
                                       s.at(x, n, c, oy * s.sh + i * s.dh, ox * s.sw + j * s.dw);
                    y[((n * s.filters + f) * oh + oy) * ow + ox] = sum;
                }
    return y;
}

// The gradients of sum(dy * y) for the convolution above: dW [F, C, kh, kw], db [F], dx.
struct NaiveConvGradients {
    std::vector<double> weight, bias, input;
};
inline NaiveConvGradients naive_conv_backward(const ConvSpec& s, std::size_t batch, const std::vector<float>& x,
                                              const float* weight, const std::vector<float>& dy) {
    const std::size_t oh = s.out_h(), ow = s.out_w();
    NaiveConvGradients g{std::vector<double>(s.filters * s.channels * s.kh * s.kw), std::vector<double>(s.filters),
                         std::vector<double>(x.size())};
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t f = 0; f < s.filters; ++f)
            for (std::size_t oy = 0; oy < oh; ++oy)
                for (std::size_t ox = 0; ox < ow; ++ox) {
                    const double d = dy[((n * s.filters + f) * oh + oy) * ow + ox];
                    g.bias[f] += d;
                    for (std::size_t c = 0; c < s.channels; ++c)
                        for (std::size_t i = 0; i < s.kh; ++i)
                            for (std::size_t j = 0; j < s.kw; ++j) {
                                const std::size_t py = oy * s.sh + i * s.dh, px = ox * s.sw + j * s.dw;
                                const std::size_t w = ((f * s.channels + c) * s.kh + i) * s.kw + j;
                                g.weight[w] += d * s.at(x, n, c, py, px);
                                if (py >= s.ph && px >= s.pw && py - s.ph < s.height && px - s.pw < s.width)
                                    g.input[((n * s.channels + c) * s.height + (py - s.ph)) * s.width + (px - s.pw)] +=
                                        d * weight[w];
                            }
                }
    return g;
}

// Max or average pooling of x [batch, C, H, W], square window k, stride, padding p
// (padding never wins a max and is left out of an average's count).
inline std::vector<double> naive_pool(bool max, std::size_t batch, std::size_t channels, std::size_t height,
                                      std::size_t width, std::size_t k, std::size_t stride, std::size_t pad,
                                      const std::vector<float>& x) {
    const std::size_t oh = (height + 2 * pad - k) / stride + 1, ow = (width + 2 * pad - k) / stride + 1;
    std::vector<double> y(batch * channels * oh * ow);
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t oy = 0; oy < oh; ++oy)
                for (std::size_t ox = 0; ox < ow; ++ox) {
                    double best = -std::numeric_limits<double>::infinity(), sum = 0;
                    std::size_t count = 0;
                    for (std::size_t i = 0; i < k; ++i)
                        for (std::size_t j = 0; j < k; ++j) {
                            const std::size_t py = oy * stride + i, px = ox * stride + j;
                            if (py < pad || px < pad || py - pad >= height || px - pad >= width) continue;
                            const double v = x[((n * channels + c) * height + py - pad) * width + px - pad];
                            best = v > best ? v : best;
                            sum += v;
                            ++count;
                        }
                    y[((n * channels + c) * oh + oy) * ow + ox] = max ? best : sum / double(count);
                }
    return y;
}

}  // namespace tn::testing
