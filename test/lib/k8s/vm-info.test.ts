/**
 * What a VM row shows (docs/kubernetes.md "VMs"): hardware from the running VMI's status, else the VM
 * spec; guest OS from guestOSInfo, else the OS the VM was made for; IPs from the VMI's interfaces.
 */
import { describe, expect, it } from 'vitest';
import { vmInfo } from '#lib/k8s/vm-info.ts';

/** A VirtualMachine as OpenShift's common templates create it. */
function vm(domain: object = {}, templateMeta: object = {}, meta: object = {}) {
  return { metadata: { name: 'web', namespace: 'vdc-a', ...meta }, spec: { runStrategy: 'Always', template: { metadata: templateMeta, spec: { domain } } } };
}

describe('vmInfo', () => {
  it('reads hardware from the VM spec when there is no VMI', () => {
    const info = vmInfo(vm({ cpu: { sockets: 2, cores: 2, threads: 1 }, memory: { guest: '4Gi' } }), undefined);
    expect(info).toEqual({ numCpus: 4, coresPerSocket: 2, memoryMb: 4096, guestOs: null, interfaces: [] });
  });

  it('defaults missing topology parts to 1 and takes memory from resources.requests', () => {
    const info = vmInfo(vm({ cpu: { cores: 3 }, resources: { requests: { memory: '1536Mi' } } }), undefined);
    expect(info).toMatchObject({ numCpus: 3, coresPerSocket: 3, memoryMb: 1536 });
    expect(vmInfo(vm({ cpu: { sockets: 4 } }), undefined)).toMatchObject({ numCpus: 4, coresPerSocket: 1 });
  });

  it('prefers the running VMI: currentCPUTopology, memory.guestCurrent, guestOSInfo, interfaces', () => {
    const vmi = {
      status: {
        currentCPUTopology: { sockets: 1, cores: 4, threads: 2 },
        memory: { guestAtBoot: '2Gi', guestCurrent: '3Gi' },
        guestOSInfo: { id: 'fedora', name: 'Fedora Linux', prettyName: 'Fedora Linux 40 (Cloud Edition)', versionId: '40' },
        interfaces: [
          { name: 'default', ipAddress: '10.128.0.7', ipAddresses: ['10.128.0.7', 'fd00::7'], mac: '02:00:00:00:00:07' },
          { interfaceName: 'eth1', ipAddresses: ['192.168.1.9'], mac: '02:00:00:00:00:08' },
          { mac: '02:00:00:00:00:09' },
        ],
      },
    };
    const info = vmInfo(vm({ cpu: { sockets: 1, cores: 1 }, memory: { guest: '2Gi' } }, { annotations: { 'vm.kubevirt.io/os': 'fedora40' } }), vmi);
    expect(info).toEqual({
      numCpus: 8, coresPerSocket: 4, memoryMb: 3072, guestOs: 'Fedora Linux 40 (Cloud Edition)',
      interfaces: [
        { name: 'default', ipAddress: '10.128.0.7', macAddress: '02:00:00:00:00:07' },
        { name: 'eth1', ipAddress: '192.168.1.9', macAddress: '02:00:00:00:00:08' },
        { name: 'default', ipAddress: null, macAddress: '02:00:00:00:00:09' },
      ],
    });
  });

  it('falls back to the guest OS name, then to the spec, when the VMI reports less', () => {
    expect(vmInfo(vm(), { status: { guestOSInfo: { name: 'Ubuntu' } } }).guestOs).toBe('Ubuntu');
    // A VMI that has not reported memory or topology yet: the spec still counts.
    const info = vmInfo(vm({ cpu: { cores: 2 }, memory: { guest: '1Gi' } }), { status: { phase: 'Scheduling' } });
    expect(info).toMatchObject({ numCpus: 2, memoryMb: 1024, interfaces: [] });
  });

  describe('guest OS without guestOSInfo', () => {
    it("uses the VM template's vm.kubevirt.io/os annotation (as common templates set it)", () => {
      expect(vmInfo(vm({}, { annotations: { 'vm.kubevirt.io/os': 'fedora40', 'vm.kubevirt.io/flavor': 'small' } }), undefined).guestOs).toBe('fedora40');
      // guestOSInfo is {} while the guest agent is not running.
      expect(vmInfo(vm({}, { annotations: { 'vm.kubevirt.io/os': 'rhel9' } }), { status: { guestOSInfo: {} } }).guestOs).toBe('rhel9');
    });

    it("uses the VM's own vm.kubevirt.io/os annotation", () => {
      expect(vmInfo(vm({}, {}, { annotations: { 'vm.kubevirt.io/os': 'centos.stream9' } }), undefined).guestOs).toBe('centos.stream9');
    });

    it('uses an os.template.kubevirt.io/<os> label of the VM or its template, unless it is "false"', () => {
      expect(vmInfo(vm({}, {}, { labels: { 'os.template.kubevirt.io/win2k22': 'true' } }), undefined).guestOs).toBe('win2k22');
      expect(vmInfo(vm({}, { labels: { 'os.template.kubevirt.io/ubuntu22.04': 'true' } }), undefined).guestOs).toBe('ubuntu22.04');
      expect(vmInfo(vm({}, { labels: { 'os.template.kubevirt.io/fedora39': 'false' } }), undefined).guestOs).toBeNull();
    });

    it('prefers the annotation over the labels', () => {
      expect(vmInfo(vm({}, { annotations: { 'vm.kubevirt.io/os': 'fedora40' }, labels: { 'os.template.kubevirt.io/fedora39': 'true' } }), undefined).guestOs).toBe('fedora40');
    });
  });

  it('leaves unknown values null instead of guessing', () => {
    expect(vmInfo(vm(), undefined)).toEqual({ numCpus: null, coresPerSocket: null, memoryMb: null, guestOs: null, interfaces: [] });
    expect(vmInfo({}, undefined)).toEqual({ numCpus: null, coresPerSocket: null, memoryMb: null, guestOs: null, interfaces: [] });
    // Nonsense values are ignored rather than multiplied in.
    expect(vmInfo(vm({ cpu: { cores: 0, sockets: 2 }, memory: { guest: 'lots' } }), undefined)).toMatchObject({ numCpus: 2, coresPerSocket: 1, memoryMb: null });
  });
});

describe('vmInfo with an instancetype', () => {
  const large = { metadata: { name: 'u1.large' }, spec: { cpu: { guest: 2 }, memory: { guest: '8Gi' } } };
  const lookup = (ref: { name: string; namespace?: string }) => (ref.name === 'u1.large' ? large : undefined);
  const typed = (kind?: string, name = 'u1.large') => ({ ...vm(), spec: { ...vm().spec, instancetype: { kind, name } } });

  it('takes CPU (as sockets) and memory from the instancetype while no VMI reports them', () => {
    expect(vmInfo(typed(), undefined, lookup)).toMatchObject({ numCpus: 2, coresPerSocket: 1, memoryMb: 8192 });
    // The namespaced kind is looked up in the VM's own namespace.
    const seen: unknown[] = [];
    vmInfo(typed('VirtualMachineInstancetype'), undefined, (ref) => { seen.push(ref); return large; });
    expect(seen).toEqual([{ kind: 'VirtualMachineInstancetype', name: 'u1.large', namespace: 'vdc-a' }]);
  });

  it('prefers what the running VMI reports, and says null for an unknown instancetype', () => {
    const vmi = { status: { currentCPUTopology: { sockets: 1, cores: 4, threads: 1 }, memory: { guestCurrent: '16Gi' } } };
    expect(vmInfo(typed(), vmi, lookup)).toMatchObject({ numCpus: 4, memoryMb: 16384 });
    expect(vmInfo(typed(undefined, 'u1.gone'), undefined, lookup)).toMatchObject({ numCpus: null, memoryMb: null });
  });
});
