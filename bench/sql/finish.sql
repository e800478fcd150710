-- Keys, secondary indexes, one foreign key; then VACUUM (FREEZE, ANALYZE) so that no tool pays for the hint bits
-- and visibility map of a freshly loaded source.
ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id);
CREATE INDEX events_account_id_idx ON public.events (account_id);
CREATE INDEX events_created_at_idx ON public.events (created_at);
CREATE INDEX events_status_account_idx ON public.events (status, account_id);
ALTER TABLE public.docs ADD CONSTRAINT docs_pkey PRIMARY KEY (id);
DELETE FROM public.docs d WHERE NOT EXISTS (SELECT 1 FROM public.events e WHERE e.id = d.event_id);
ALTER TABLE public.docs ADD CONSTRAINT docs_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events (id);
DO $$
BEGIN
    FOR i IN 1..200 LOOP
        EXECUTE format('ALTER TABLE mid.%1$I ADD CONSTRAINT %2$I PRIMARY KEY (id)',
                       't' || lpad(i::text, 3, '0'), 't' || lpad(i::text, 3, '0') || '_pkey');
        EXECUTE format('CREATE INDEX %2$I ON mid.%1$I (ref)',
                       't' || lpad(i::text, 3, '0'), 't' || lpad(i::text, 3, '0') || '_ref_idx');
    END LOOP;
END $$;
