# The GPU TaskManager: Flink 2.2 with ONNX Runtime's CUDA build in lib/ (parent classloader: JNI
# libraries break on job restart in the child-first user classloader), CUDA 12 and cuDNN 9
# user-space libraries, and the GPU external-resource plugin with its discovery script.
# Build inputs come from `bin/rmbg docker-prepare` (docker/lib/), so this file downloads nothing.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS cuda

FROM flink:2.2.0-java17
COPY --from=cuda /usr/local/cuda/lib64/ /usr/local/cuda/lib64/
COPY --from=cuda /usr/lib/x86_64-linux-gnu/libcudnn* /usr/lib/x86_64-linux-gnu/
ENV LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/lib/x86_64-linux-gnu \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    ORT_DISABLE_TELEMETRY=1
COPY docker/lib/onnxruntime/*.jar /opt/flink/lib/
RUN mkdir -p /opt/flink/plugins/external-resource-gpu \
    && cp /opt/flink/opt/flink-external-resource-gpu-*.jar /opt/flink/plugins/external-resource-gpu/ \
    && cp /opt/flink/opt/*gpu-discovery*.sh /opt/flink/plugins/external-resource-gpu/ 2>/dev/null || true
