/* @ts-self-types="./wasm_rnn.d.ts" */

/**
 * dst += src (e.g. gradients of worker replicas). Both must have the same length.
 * @param {Float32Array} dst
 * @param {Float32Array | number[]} src
 */
export function add_assign(dst, src) {
    let ptr0, len0, ptr1, len1;
    try {
        ptr0 = passArrayF32ToWasm0(dst, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArrayF32ToWasm0(src, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 4, 4); }
        throw e;
    }
    const ret = wasm.add_assign(ptr0, len0, dst, ptr1, len1);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Bytes of live allocations in this instance (what the budget is checked against).
 * @returns {number}
 */
export function bytes_in_use() {
    const ret = wasm.bytes_in_use();
    return ret;
}

/**
 * Diagnostics for the test suite: traps (as a bug would) inside a call on the network, with
 * `stack_bytes` of stack in use, to check that the layer is lost cleanly and nothing else is.
 * @param {number} handle
 * @param {number} stack_bytes
 */
export function debug_trap_in(handle, stack_bytes) {
    const ret = wasm.debug_trap_in(handle, stack_bytes);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Which lane implementation this binary was built with: "wasm32-relaxed-simd", "wasm32-simd128" or "scalar".
 * @returns {string}
 */
export function lane_impl() {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.lane_impl();
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}

/**
 * The instance's budget for live allocations, in bytes.
 * @returns {number}
 */
export function memory_budget_bytes() {
    const ret = wasm.memory_budget_bytes();
    return ret;
}

/**
 * Bytes of linear memory this instance currently has (it only grows).
 * @returns {number}
 */
export function memory_bytes() {
    const ret = wasm.memory_bytes();
    return ret;
}

/**
 * Data parallelism, on the main model: combines the replicas' gradient arenas (concatenated)
 * weighted by their loss terms, clips and applies one update.
 * @param {number} handle
 * @param {Float32Array | number[]} shards
 * @param {Float64Array | number[]} weights
 * @param {number} loss
 */
export function model_apply_gradients(handle, shards, weights, loss) {
    const val3 = +handle;
    const val4 = +loss;
    let ptr0, len0, ptr1, len1;
    try {
        ptr0 = passArrayF32ToWasm0(shards, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArrayF64ToWasm0(weights, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 8, 8); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 4, 4); }
        throw e;
    }
    const ret = wasm.model_apply_gradients(val3, ptr0, len0, ptr1, len1, val4);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * `loss`: [code (0 mse, 1 l1, 2 huber, 3 crossEntropy), delta, ignoreIndex, labelSmoothing], or
 * [4 (ctc), blank, zeroInfinity, 0];
 * `optimizer`: code 0 SGD [lr, momentum, dampening, nesterov, wd], 1 Adam [lr, β1, β2, eps, wd,
 * amsgrad, decoupled], 2 RMSprop [lr, α, eps, momentum, centered, wd]; NaN clips mean none.
 * @param {number} handle
 * @param {Float64Array | number[]} loss
 * @param {number} optimizer_code
 * @param {Float64Array | number[]} optimizer
 * @param {number} clip_grad_norm
 * @param {number} clip_grad_value
 */
export function model_compile(handle, loss, optimizer_code, optimizer, clip_grad_norm, clip_grad_value) {
    const val3 = +handle;
    const val4 = +optimizer_code;
    const val5 = +clip_grad_norm;
    const val6 = +clip_grad_value;
    let ptr0, len0, ptr1, len1;
    try {
        ptr0 = passArrayF64ToWasm0(loss, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArrayF64ToWasm0(optimizer, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 8, 8); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 8, 8); }
        throw e;
    }
    const ret = wasm.model_compile(val3, ptr0, len0, val4, ptr1, len1, val5, val6);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Data parallelism, on a replica: forward, loss and backward of one shard without an update.
 * Returns [loss, weight]; the gradients are read with `model_grads`.
 * @param {number} handle
 * @param {Float32Array | number[]} x
 * @param {Int32Array | number[]} ids
 * @param {number} seq
 * @param {number} batch
 * @param {Float32Array | number[]} y
 * @param {Int32Array | number[]} classes
 * @param {Float32Array | number[] | null | undefined} states
 * @param {Int32Array | number[]} lengths
 * @returns {Float64Array}
 */
export function model_compute_gradients(handle, x, ids, seq, batch, y, classes, states, lengths) {
    const val7 = +handle;
    const val8 = +seq;
    const val9 = +batch;
    let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, ptr4, len4, ptr5, len5;
    try {
        ptr0 = passArrayF32ToWasm0(x, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArray32ToWasm0(ids, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
        ptr2 = passArrayF32ToWasm0(y, wasm.__wbindgen_malloc);
        len2 = WASM_VECTOR_LEN;
        ptr3 = passArray32ToWasm0(classes, wasm.__wbindgen_malloc);
        len3 = WASM_VECTOR_LEN;
        ptr4 = isLikeNone(states) ? 0 : passArrayF32ToWasm0(states, wasm.__wbindgen_malloc);
        len4 = WASM_VECTOR_LEN;
        ptr5 = passArray32ToWasm0(lengths, wasm.__wbindgen_malloc);
        len5 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr5) { wasm.__wbindgen_free(ptr5, len5 * 4, 4); }
        if (ptr4) { wasm.__wbindgen_free(ptr4, len4 * 4, 4); }
        if (ptr3) { wasm.__wbindgen_free(ptr3, len3 * 4, 4); }
        if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 4, 4); }
        throw e;
    }
    const ret = wasm.model_compute_gradients(val7, ptr0, len0, ptr1, len1, val8, val9, ptr2, len2, ptr3, len3, ptr4, len4, ptr5, len5);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v10 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
    return v10;
}

/**
 * Builds a model from `SLOTS` numbers per layer; returns its handle.
 * @param {Float64Array | number[]} architecture
 * @param {number} seed
 * @returns {number}
 */
export function model_create(architecture, seed) {
    const val2 = +seed;
    const ptr0 = passArrayF64ToWasm0(architecture, wasm.__wbindgen_malloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.model_create(ptr0, len0, val2);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return ret[0] >>> 0;
}

/**
 * @param {number} handle
 */
export function model_drop(handle) {
    wasm.model_drop(handle);
}

/**
 * [loss, accuracy (NaN unless cross-entropy)] of an inference forward.
 * @param {number} handle
 * @param {Float32Array | number[]} x
 * @param {Int32Array | number[]} ids
 * @param {number} seq
 * @param {number} batch
 * @param {Float32Array | number[]} y
 * @param {Int32Array | number[]} classes
 * @param {Int32Array | number[]} lengths
 * @returns {Float64Array}
 */
export function model_evaluate(handle, x, ids, seq, batch, y, classes, lengths) {
    const val6 = +handle;
    const val7 = +seq;
    const val8 = +batch;
    let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, ptr4, len4;
    try {
        ptr0 = passArrayF32ToWasm0(x, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArray32ToWasm0(ids, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
        ptr2 = passArrayF32ToWasm0(y, wasm.__wbindgen_malloc);
        len2 = WASM_VECTOR_LEN;
        ptr3 = passArray32ToWasm0(classes, wasm.__wbindgen_malloc);
        len3 = WASM_VECTOR_LEN;
        ptr4 = passArray32ToWasm0(lengths, wasm.__wbindgen_malloc);
        len4 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr4) { wasm.__wbindgen_free(ptr4, len4 * 4, 4); }
        if (ptr3) { wasm.__wbindgen_free(ptr3, len3 * 4, 4); }
        if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 4, 4); }
        throw e;
    }
    const ret = wasm.model_evaluate(val6, ptr0, len0, ptr1, len1, val7, val8, ptr2, len2, ptr3, len3, ptr4, len4);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v9 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
    return v9;
}

/**
 * @param {number} handle
 * @returns {Float32Array}
 */
export function model_final_states(handle) {
    const ret = wasm.model_final_states(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayF32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * Runs the model (states: the recurrent layers' initial states, or zeros when absent).
 * @param {number} handle
 * @param {Float32Array | number[]} x
 * @param {Int32Array | number[]} ids
 * @param {number} seq
 * @param {number} batch
 * @param {Float32Array | number[] | null | undefined} states
 * @param {boolean} training
 * @param {Int32Array | number[]} lengths
 */
export function model_forward(handle, x, ids, seq, batch, states, training, lengths) {
    const val5 = +handle;
    const val6 = +seq;
    const val7 = +batch;
    const val8 = +training;
    let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3;
    try {
        ptr0 = passArrayF32ToWasm0(x, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArray32ToWasm0(ids, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
        ptr2 = isLikeNone(states) ? 0 : passArrayF32ToWasm0(states, wasm.__wbindgen_malloc);
        len2 = WASM_VECTOR_LEN;
        ptr3 = passArray32ToWasm0(lengths, wasm.__wbindgen_malloc);
        len3 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr3) { wasm.__wbindgen_free(ptr3, len3 * 4, 4); }
        if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 4, 4); }
        throw e;
    }
    const ret = wasm.model_forward(val5, ptr0, len0, ptr1, len1, val6, val7, ptr2, len2, val8, ptr3, len3);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * The whole parameter arena, in name order.
 * @param {number} handle
 * @returns {Float32Array}
 */
export function model_get_params(handle) {
    const ret = wasm.model_get_params(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayF32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * The gradient arena of the last `model_compute_gradients` (or step).
 * @param {number} handle
 * @returns {Float32Array}
 */
export function model_grads(handle) {
    const ret = wasm.model_grads(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayF32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * @param {number} handle
 * @returns {number}
 */
export function model_last_grad_norm(handle) {
    const ret = wasm.model_last_grad_norm(handle);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return ret[0];
}

/**
 * @param {number} handle
 * @returns {Float32Array}
 */
export function model_output(handle) {
    const ret = wasm.model_output(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayF32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * Parameter names ("<index>.<name>"), one per line.
 * @param {number} handle
 * @returns {string}
 */
export function model_param_names(handle) {
    let deferred2_0;
    let deferred2_1;
    try {
        const ret = wasm.model_param_names(handle);
        var ptr1 = ret[0];
        var len1 = ret[1];
        if (ret[3]) {
            ptr1 = 0; len1 = 0;
            throw takeFromExternrefTable0(ret[2]);
        }
        deferred2_0 = ptr1;
        deferred2_1 = len1;
        return getStringFromWasm0(ptr1, len1);
    } finally {
        wasm.__wbindgen_free(deferred2_0, deferred2_1, 1);
    }
}

/**
 * Parameter shapes, each as its rank then its dimensions.
 * @param {number} handle
 * @returns {Uint32Array}
 */
export function model_param_shapes(handle) {
    const ret = wasm.model_param_shapes(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayU32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * @param {number} handle
 * @param {number} lr
 */
export function model_set_lr(handle, lr) {
    const ret = wasm.model_set_lr(handle, lr);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * @param {number} handle
 * @param {Float32Array | number[]} all
 */
export function model_set_params(handle, all) {
    const val2 = +handle;
    const ptr0 = passArrayF32ToWasm0(all, wasm.__wbindgen_malloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.model_set_params(val2, ptr0, len0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Forward, loss, BPTT, clipping and one update; returns the loss before the update.
 * `lengths`: one per sequence (packed sequences), or empty.
 * @param {number} handle
 * @param {Float32Array | number[]} x
 * @param {Int32Array | number[]} ids
 * @param {number} seq
 * @param {number} batch
 * @param {Float32Array | number[]} y
 * @param {Int32Array | number[]} classes
 * @param {Float32Array | number[] | null | undefined} states
 * @param {Int32Array | number[]} lengths
 * @returns {number}
 */
export function model_train_step(handle, x, ids, seq, batch, y, classes, states, lengths) {
    const val7 = +handle;
    const val8 = +seq;
    const val9 = +batch;
    let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, ptr4, len4, ptr5, len5;
    try {
        ptr0 = passArrayF32ToWasm0(x, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArray32ToWasm0(ids, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
        ptr2 = passArrayF32ToWasm0(y, wasm.__wbindgen_malloc);
        len2 = WASM_VECTOR_LEN;
        ptr3 = passArray32ToWasm0(classes, wasm.__wbindgen_malloc);
        len3 = WASM_VECTOR_LEN;
        ptr4 = isLikeNone(states) ? 0 : passArrayF32ToWasm0(states, wasm.__wbindgen_malloc);
        len4 = WASM_VECTOR_LEN;
        ptr5 = passArray32ToWasm0(lengths, wasm.__wbindgen_malloc);
        len5 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr5) { wasm.__wbindgen_free(ptr5, len5 * 4, 4); }
        if (ptr4) { wasm.__wbindgen_free(ptr4, len4 * 4, 4); }
        if (ptr3) { wasm.__wbindgen_free(ptr3, len3 * 4, 4); }
        if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 4, 4); }
        throw e;
    }
    const ret = wasm.model_train_step(val7, ptr0, len0, ptr1, len1, val8, val9, ptr2, len2, ptr3, len3, ptr4, len4, ptr5, len5);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return ret[0];
}

/**
 * Backpropagates through the pending training forward; results via `net_backward_results`.
 * @param {number} handle
 * @param {Float32Array | number[] | null} [d_output]
 * @param {Float32Array | number[] | null} [d_h_n]
 * @param {Float32Array | number[] | null} [d_c_n]
 */
export function net_backward(handle, d_output, d_h_n, d_c_n) {
    const val4 = +handle;
    let ptr0, len0, ptr1, len1, ptr2, len2;
    try {
        ptr0 = isLikeNone(d_output) ? 0 : passArrayF32ToWasm0(d_output, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = isLikeNone(d_h_n) ? 0 : passArrayF32ToWasm0(d_h_n, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
        ptr2 = isLikeNone(d_c_n) ? 0 : passArrayF32ToWasm0(d_c_n, wasm.__wbindgen_malloc);
        len2 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 4, 4); }
        throw e;
    }
    const ret = wasm.net_backward(val4, ptr0, len0, ptr1, len1, ptr2, len2);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * The shapes of `net_backward_results`' parts (as `net_forward_result_shapes`).
 * @param {number} handle
 * @returns {Uint32Array}
 */
export function net_backward_result_shapes(handle) {
    const ret = wasm.net_backward_result_shapes(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayU32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * The last backward's gradients in one array: input, h0, c0 (LSTM; empty otherwise), then
 * every parameter's gradient in index order.
 * @param {number} handle
 * @returns {Float32Array}
 */
export function net_backward_results(handle) {
    const ret = wasm.net_backward_results(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayF32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * As [`net_check_forward`], for a backward with the given upstream gradients.
 * @param {number} handle
 * @param {boolean} has_d_output
 * @param {boolean} has_d_h_n
 * @param {boolean} has_d_c_n
 */
export function net_check_backward(handle, has_d_output, has_d_h_n, has_d_c_n) {
    const ret = wasm.net_check_backward(handle, has_d_output, has_d_h_n, has_d_c_n);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Refuses (E_TOO_LARGE) a forward whose inputs, buffers and results would not fit in the
 * instance's budget. Called before the inputs are copied into wasm memory.
 * @param {number} handle
 * @param {number} seq
 * @param {number} batch
 * @param {boolean} training
 * @param {boolean} has_h0
 * @param {boolean} has_c0
 */
export function net_check_forward(handle, seq, batch, training, has_h0, has_c0) {
    const ret = wasm.net_check_forward(handle, seq, batch, training, has_h0, has_c0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Builds a network; returns its handle. `cell`: "rnn_tanh" | "rnn_relu" | "lstm" | "gru".
 * @param {string} cell
 * @param {number} input_size
 * @param {number} hidden_size
 * @param {number} num_layers
 * @param {boolean} bidirectional
 * @param {boolean} bias
 * @param {number} proj_size
 * @param {number} seed
 * @returns {number}
 */
export function net_create(cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size, seed) {
    const val2 = +input_size;
    const val3 = +hidden_size;
    const val4 = +num_layers;
    const val5 = +bidirectional;
    const val6 = +bias;
    const val7 = +proj_size;
    const val8 = +seed;
    const ptr0 = passStringToWasm0(cell, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.net_create(ptr0, len0, val2, val3, val4, val5, val6, val7, val8);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return ret[0] >>> 0;
}

/**
 * Frees a network. Also after a trap inside one of its calls: its buffers are intact
 * allocations, so dropping them returns the memory.
 * @param {number} handle
 */
export function net_drop(handle) {
    wasm.net_drop(handle);
}

/**
 * Runs the sequence; the results are read with `net_forward_results`.
 * @param {number} handle
 * @param {Float32Array | number[]} x
 * @param {number} seq
 * @param {number} batch
 * @param {boolean} batch_first
 * @param {Float32Array | number[] | null | undefined} h0
 * @param {Float32Array | number[] | null | undefined} c0
 * @param {boolean} training
 */
export function net_forward(handle, x, seq, batch, batch_first, h0, c0, training) {
    const val4 = +handle;
    const val5 = +seq;
    const val6 = +batch;
    const val7 = +batch_first;
    const val8 = +training;
    let ptr0, len0, ptr1, len1, ptr2, len2;
    try {
        ptr0 = passArrayF32ToWasm0(x, wasm.__wbindgen_malloc);
        len0 = WASM_VECTOR_LEN;
        ptr1 = isLikeNone(h0) ? 0 : passArrayF32ToWasm0(h0, wasm.__wbindgen_malloc);
        len1 = WASM_VECTOR_LEN;
        ptr2 = isLikeNone(c0) ? 0 : passArrayF32ToWasm0(c0, wasm.__wbindgen_malloc);
        len2 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 4, 4); }
        throw e;
    }
    const ret = wasm.net_forward(val4, ptr0, len0, val5, val6, val7, ptr1, len1, ptr2, len2, val8);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * The shapes of `net_forward_results`' parts, each as its rank followed by its dimensions.
 * @param {number} handle
 * @returns {Uint32Array}
 */
export function net_forward_result_shapes(handle) {
    const ret = wasm.net_forward_result_shapes(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayU32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * The last forward's results in one array (one copy, one JS allocation per call): output,
 * h_n, then c_n (LSTM), with the shapes `net_forward_result_shapes` gives.
 * @param {number} handle
 * @returns {Float32Array}
 */
export function net_forward_results(handle) {
    const ret = wasm.net_forward_results(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayF32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * @param {number} handle
 * @param {number} index
 * @returns {Float32Array}
 */
export function net_get_param(handle, index) {
    const ret = wasm.net_get_param(handle, index);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayF32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * Parameter names in PyTorch's order, one per line.
 * @param {number} handle
 * @returns {string}
 */
export function net_param_names(handle) {
    let deferred2_0;
    let deferred2_1;
    try {
        const ret = wasm.net_param_names(handle);
        var ptr1 = ret[0];
        var len1 = ret[1];
        if (ret[3]) {
            ptr1 = 0; len1 = 0;
            throw takeFromExternrefTable0(ret[2]);
        }
        deferred2_0 = ptr1;
        deferred2_1 = len1;
        return getStringFromWasm0(ptr1, len1);
    } finally {
        wasm.__wbindgen_free(deferred2_0, deferred2_1, 1);
    }
}

/**
 * Parameter shapes in the same order, each as its rank followed by its dimensions.
 * @param {number} handle
 * @returns {Uint32Array}
 */
export function net_param_shapes(handle) {
    const ret = wasm.net_param_shapes(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayU32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * [seq, batch, batchFirst] of the training forward a backward would consume, or empty.
 * @param {number} handle
 * @returns {Uint32Array}
 */
export function net_pending_training(handle) {
    const ret = wasm.net_pending_training(handle);
    if (ret[3]) {
        throw takeFromExternrefTable0(ret[2]);
    }
    var v1 = getArrayU32FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
    return v1;
}

/**
 * @param {number} handle
 * @param {number} index
 * @param {Float32Array | number[]} data
 */
export function net_set_param(handle, index, data) {
    const val2 = +handle;
    const val3 = +index;
    const ptr0 = passArrayF32ToWasm0(data, wasm.__wbindgen_malloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.net_set_param(val2, val3, ptr0, len0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Checks a configuration (sizes, projection, parameter budget) without building anything:
 * layers validate at construction and allocate on first use.
 * @param {string} cell
 * @param {number} input_size
 * @param {number} hidden_size
 * @param {number} num_layers
 * @param {boolean} bidirectional
 * @param {boolean} bias
 * @param {number} proj_size
 */
export function net_validate(cell, input_size, hidden_size, num_layers, bidirectional, bias, proj_size) {
    const val2 = +input_size;
    const val3 = +hidden_size;
    const val4 = +num_layers;
    const val5 = +bidirectional;
    const val6 = +bias;
    const val7 = +proj_size;
    const ptr0 = passStringToWasm0(cell, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.net_validate(ptr0, len0, val2, val3, val4, val5, val6, val7);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_Error_208446807d0d1e30: function(arg0, arg1) {
            const ret = Error(getStringFromWasm0(arg0, arg1));
            return ret;
        },
        __wbg___wbindgen_copy_to_typed_array_680b191e71920dc1: function(arg0, arg1, arg2) {
            new Uint8Array(arg2.buffer, arg2.byteOffset, arg2.byteLength).set(getArrayU8FromWasm0(arg0, arg1));
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
            table.set(1024, undefined);
            table.set(1025, null);
            table.set(1026, true);
            table.set(1027, false);
        },
    };
    return {
        __proto__: null,
        "./wasm_rnn_bg.js": import0,
    };
}

function getArrayF32FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getFloat32ArrayMemory0().subarray(ptr / 4, ptr / 4 + len);
}

function getArrayF64FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getFloat64ArrayMemory0().subarray(ptr / 8, ptr / 8 + len);
}

function getArrayU32FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint32ArrayMemory0().subarray(ptr / 4, ptr / 4 + len);
}

function getArrayU8FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);
}

let cachedFloat32ArrayMemory0 = null;
function getFloat32ArrayMemory0() {
    if (cachedFloat32ArrayMemory0 === null || cachedFloat32ArrayMemory0.byteLength === 0) {
        cachedFloat32ArrayMemory0 = new Float32Array(wasm.memory.buffer);
    }
    return cachedFloat32ArrayMemory0;
}

let cachedFloat64ArrayMemory0 = null;
function getFloat64ArrayMemory0() {
    if (cachedFloat64ArrayMemory0 === null || cachedFloat64ArrayMemory0.byteLength === 0) {
        cachedFloat64ArrayMemory0 = new Float64Array(wasm.memory.buffer);
    }
    return cachedFloat64ArrayMemory0;
}

function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let cachedUint32ArrayMemory0 = null;
function getUint32ArrayMemory0() {
    if (cachedUint32ArrayMemory0 === null || cachedUint32ArrayMemory0.byteLength === 0) {
        cachedUint32ArrayMemory0 = new Uint32Array(wasm.memory.buffer);
    }
    return cachedUint32ArrayMemory0;
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function isLikeNone(x) {
    return x === undefined || x === null;
}

function passArray32ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 4, 4) >>> 0;
    getUint32ArrayMemory0().set(arg, ptr / 4);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passArrayF32ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 4, 4) >>> 0;
    getFloat32ArrayMemory0().set(arg, ptr / 4);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passArrayF64ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 8, 8) >>> 0;
    getFloat64ArrayMemory0().set(arg, ptr / 8);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

function takeFromExternrefTable0(idx) {
    const value = wasm.__wbindgen_externrefs.get(idx);
    wasm.__externref_table_dealloc(idx);
    return value;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
cachedTextDecoder.decode();
const MAX_SAFARI_DECODE_BYTES = 2146435072;
let numBytesDecoded = 0;
function decodeText(bytes) {
    numBytesDecoded += bytes.length;
    if (numBytesDecoded >= MAX_SAFARI_DECODE_BYTES) {
        cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
        cachedTextDecoder.decode();
        numBytesDecoded = bytes.length;
    }
    return cachedTextDecoder.decode(bytes);
}

const cachedTextEncoder = new TextEncoder();

if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}

let WASM_VECTOR_LEN = 0;

let wasmModule, wasmInstance, wasm;
function __wbg_finalize_init(instance, module) {
    wasmInstance = instance;
    wasm = instance.exports;
    wasmModule = module;
    cachedFloat32ArrayMemory0 = null;
    cachedFloat64ArrayMemory0 = null;
    cachedUint32ArrayMemory0 = null;
    cachedUint8ArrayMemory0 = null;
    wasm.__wbindgen_start();
    return wasm;
}

async function __wbg_load(module, imports) {
    if (typeof Response === 'function' && module instanceof Response) {
        if (!module.ok) {
            throw new Error(`failed to fetch Wasm: ${module.status} ${module.statusText} fetching '${module.url}'`);
        }

        if (typeof WebAssembly.instantiateStreaming === 'function') {
            try {
                return await WebAssembly.instantiateStreaming(module, imports);
            } catch (e) {
                const validResponse = expectedResponseType(module.type);

                if (validResponse && module.headers.get('Content-Type') !== 'application/wasm') {
                    console.warn("`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\n", e);

                } else { throw e; }
            }
        }

        const bytes = await module.arrayBuffer();
        return await WebAssembly.instantiate(bytes, imports);
    } else {
        const instance = await WebAssembly.instantiate(module, imports);

        if (instance instanceof WebAssembly.Instance) {
            return { instance, module };
        } else {
            return instance;
        }
    }

    function expectedResponseType(type) {
        switch (type) {
            case 'basic': case 'cors': case 'default': return true;
        }
        return false;
    }
}

function initSync(module) {
    if (wasm !== undefined) return wasm;


    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for `initSync()`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
    const instance = new WebAssembly.Instance(module, imports);
    return __wbg_finalize_init(instance, module);
}

let __wbg_init_promise;
async function __wbg_init(module_or_path) {
    if (wasm !== undefined) return wasm;
    if (__wbg_init_promise === undefined) {
        __wbg_init_promise = __wbg_init_once(module_or_path);
        __wbg_init_promise.catch(() => { __wbg_init_promise = undefined; });
    }
    return __wbg_init_promise;
}

async function __wbg_init_once(module_or_path) {

    if (module_or_path !== undefined) {
        if (Object.getPrototypeOf(module_or_path) === Object.prototype) {
            ({module_or_path} = module_or_path)
        } else {
            console.warn('using deprecated parameters for the initialization function; pass a single object instead')
        }
    }


    const imports = __wbg_get_imports();

    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {
        module_or_path = fetch(module_or_path);
    }

    const { instance, module } = await __wbg_load(await module_or_path, imports);

    return __wbg_finalize_init(instance, module);
}

export { initSync, __wbg_init as default };
