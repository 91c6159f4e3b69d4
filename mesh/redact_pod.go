package mesh

import (
	corev1 "k8s.io/api/core/v1"
)

// redactPod keeps what the trace and the checks read of a pod: metadata (redactMeta),
// the service account, node and host network, containers (redactContainer) and the
// status's phase, IPs, conditions and container states (no messages).
func redactPod(p *corev1.Pod) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: redactMeta(p.ObjectMeta), Spec: redactPodSpec(p.Spec), Status: corev1.PodStatus{
		Phase:                 p.Status.Phase,
		HostIP:                p.Status.HostIP,
		PodIP:                 p.Status.PodIP,
		PodIPs:                append([]corev1.PodIP(nil), p.Status.PodIPs...),
		Conditions:            redactConditions(p.Status.Conditions),
		InitContainerStatuses: redactStatuses(p.Status.InitContainerStatuses),
		ContainerStatuses:     redactStatuses(p.Status.ContainerStatuses),
	}}
}

func redactTemplate(t corev1.PodTemplateSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: redactMeta(t.ObjectMeta), Spec: redactPodSpec(t.Spec)}
}

func redactPodSpec(s corev1.PodSpec) corev1.PodSpec {
	return corev1.PodSpec{
		ServiceAccountName: s.ServiceAccountName,
		NodeName:           s.NodeName,
		HostNetwork:        s.HostNetwork,
		InitContainers:     redactContainers(s.InitContainers),
		Containers:         redactContainers(s.Containers),
	}
}

// redactContainers keeps each container's name, image, ports and restart policy (a
// native sidecar is an init container that always restarts), and the names of its env
// variables without their values: no command, args, env values or valueFrom, volumes.
func redactContainers(cs []corev1.Container) []corev1.Container {
	var out []corev1.Container
	for _, c := range cs {
		rc := corev1.Container{Name: c.Name, Image: c.Image, Ports: append([]corev1.ContainerPort(nil), c.Ports...)}
		if c.RestartPolicy != nil {
			p := *c.RestartPolicy
			rc.RestartPolicy = &p
		}
		for _, e := range c.Env {
			rc.Env = append(rc.Env, corev1.EnvVar{Name: e.Name})
		}
		out = append(out, rc)
	}
	return out
}

func redactConditions(cs []corev1.PodCondition) []corev1.PodCondition {
	var out []corev1.PodCondition
	for _, c := range cs {
		out = append(out, corev1.PodCondition{Type: c.Type, Status: c.Status})
	}
	return out
}

func redactStatuses(ss []corev1.ContainerStatus) []corev1.ContainerStatus {
	var out []corev1.ContainerStatus
	for _, s := range ss {
		rs := corev1.ContainerStatus{Name: s.Name, Ready: s.Ready, RestartCount: s.RestartCount, Image: s.Image}
		if s.Started != nil {
			started := *s.Started
			rs.Started = &started
		}
		switch st := s.State; {
		case st.Running != nil:
			rs.State.Running = &corev1.ContainerStateRunning{StartedAt: st.Running.StartedAt}
		case st.Waiting != nil:
			rs.State.Waiting = &corev1.ContainerStateWaiting{Reason: st.Waiting.Reason}
		case st.Terminated != nil:
			rs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: st.Terminated.ExitCode, Reason: st.Terminated.Reason}
		}
		out = append(out, rs)
	}
	return out
}
